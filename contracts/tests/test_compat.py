"""Breaking-change detection, exercised on schemas pydantic generates from small before/after models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from reloop_contracts.compat import breaking_changes


def schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def changes(old: type[BaseModel], new: type[BaseModel]) -> list[str]:
    return breaking_changes(schema(old), schema(new))


class Money(BaseModel):
    amount_minor: int
    currency: str


class MoneyAsText(BaseModel):
    amount_minor: str
    currency: str


class MoneyWithoutCurrency(BaseModel):
    amount_minor: int


class Line(BaseModel):
    unit_id: UUID
    quantity: int


class LineWithTextQuantity(BaseModel):
    unit_id: UUID
    quantity: str


class Channel(StrEnum):
    SHOP = "shop"
    ONLINE = "online"


class ChannelWithMarketplace(StrEnum):
    SHOP = "shop"
    ONLINE = "online"
    MARKETPLACE = "marketplace"


class ChannelOnlineOnly(StrEnum):
    ONLINE = "online"


class Category(BaseModel):
    """A category tree: the model refers to itself."""

    name: str
    children: list[Category] = []
    parent: Category | None = None


class CategoryRenamed(BaseModel):
    """The same tree with a field retyped somewhere down the recursion."""

    name: int
    children: list[CategoryRenamed] = []
    parent: CategoryRenamed | None = None


class Node(BaseModel):
    """Mutual recursion: a node holds edges, each edge points at a node."""

    label: str
    edges: list[Edge] = []


class Edge(BaseModel):
    weight: int
    target: Node | None = None


Node.model_rebuild()


def test_identical_schemas_are_compatible() -> None:
    class Sale(BaseModel):
        sale_id: UUID
        total: Money
        lines: list[Line]
        sold_at: datetime
        channel: Channel
        note: str | None = None

    assert changes(Sale, Sale) == []


def test_adding_an_optional_field_is_compatible() -> None:
    class Old(BaseModel):
        sale_id: UUID

    class New(BaseModel):
        sale_id: UUID
        note: str | None = None
        tags: list[str] = []

    assert changes(Old, New) == []


def test_removing_a_field_is_breaking() -> None:
    class Old(BaseModel):
        sale_id: UUID
        note: str

    class New(BaseModel):
        sale_id: UUID

    assert changes(Old, New) == ["note: removed"]


def test_removing_an_optional_field_is_breaking() -> None:
    class Old(BaseModel):
        sale_id: UUID
        note: str | None = None

    class New(BaseModel):
        sale_id: UUID

    assert changes(Old, New) == ["note: removed"]


def test_retyping_a_field_from_int_to_str_is_breaking() -> None:
    class Old(BaseModel):
        quantity: int

    class New(BaseModel):
        quantity: str

    assert changes(Old, New) == ["quantity: type changed from integer to string"]


def test_changing_a_format_is_breaking() -> None:
    class Old(BaseModel):
        sale_id: UUID

    class New(BaseModel):
        sale_id: str

    assert changes(Old, New) == ["sale_id: type changed from string (uuid) to string"]


def test_a_new_required_field_is_breaking() -> None:
    class Old(BaseModel):
        sale_id: UUID

    class New(BaseModel):
        sale_id: UUID
        customer_ref: str

    assert changes(Old, New) == ["customer_ref: new required field"]


def test_an_optional_field_becoming_required_is_breaking() -> None:
    class Old(BaseModel):
        note: str = ""

    class New(BaseModel):
        note: str

    assert changes(Old, New) == ["note: became required"]


def test_a_required_field_becoming_optional_is_breaking() -> None:
    class Old(BaseModel):
        note: str

    class New(BaseModel):
        note: str = ""

    assert changes(Old, New) == ["note: no longer required"]


def test_widening_int_to_optional_int_is_breaking() -> None:
    class Old(BaseModel):
        quantity: int

    class New(BaseModel):
        quantity: int | None

    assert changes(Old, New) == ["quantity: type changed from integer to integer | null"]


def test_narrowing_optional_int_to_int_is_breaking() -> None:
    class Old(BaseModel):
        quantity: int | None

    class New(BaseModel):
        quantity: int

    assert changes(Old, New) == ["quantity: type changed from integer | null to integer"]


def test_making_a_nested_model_nullable_is_breaking_and_names_the_model() -> None:
    class Old(BaseModel):
        total: Money

    class New(BaseModel):
        total: Money | None

    assert changes(Old, New) == ["total: type changed from Money to Money | null"]


def test_adding_an_enum_value_is_compatible() -> None:
    class Old(BaseModel):
        channel: Channel

    class New(BaseModel):
        channel: ChannelWithMarketplace

    assert changes(Old, New) == []


def test_removing_an_enum_value_is_breaking() -> None:
    class Old(BaseModel):
        channel: Channel

    class New(BaseModel):
        channel: ChannelOnlineOnly

    assert changes(Old, New) == ["channel: enum value 'shop' removed"]


def test_a_literal_const_widened_to_an_enum_is_compatible() -> None:
    class Old(BaseModel):
        channel: Literal["shop"]

    class New(BaseModel):
        channel: Literal["shop", "online"]

    assert changes(Old, New) == []


def test_an_enum_narrowed_to_a_literal_const_is_breaking() -> None:
    class Old(BaseModel):
        channel: Channel

    class New(BaseModel):
        channel: Literal["online"]

    assert changes(Old, New) == ["channel: enum value 'shop' removed"]


def test_restricting_a_free_string_to_an_enum_is_breaking() -> None:
    class Old(BaseModel):
        channel: str

    class New(BaseModel):
        channel: Channel

    assert changes(Old, New) == ["channel: restricted to enum values ['shop', 'online']"]


def test_removing_a_field_of_a_nested_model_is_breaking_and_names_the_nested_path() -> None:
    class Old(BaseModel):
        total: Money

    class New(BaseModel):
        total: MoneyWithoutCurrency

    assert changes(Old, New) == ["total.currency: removed"]


def test_retyping_a_field_inside_an_optional_nested_model_names_the_nested_path() -> None:
    class Old(BaseModel):
        total: Money | None = None

    class New(BaseModel):
        total: MoneyAsText | None = None

    assert changes(Old, New) == ["total.amount_minor: type changed from integer to string"]


def test_retyping_a_field_of_a_list_item_model_is_breaking() -> None:
    class Old(BaseModel):
        lines: list[Line]

    class New(BaseModel):
        lines: list[LineWithTextQuantity]

    assert changes(Old, New) == ["lines[].quantity: type changed from integer to string"]


def test_retyping_the_values_of_a_dict_is_breaking() -> None:
    class Old(BaseModel):
        stock: dict[str, int]

    class New(BaseModel):
        stock: dict[str, str]

    assert changes(Old, New) == ["stock{}: type changed from integer to string"]


def test_adding_a_pattern_is_breaking() -> None:
    class Old(BaseModel):
        sku: str

    class New(BaseModel):
        sku: str = Field(pattern=r"^[A-Z0-9-]+$")

    assert changes(Old, New) == ["sku: pattern '^[A-Z0-9-]+$' added"]


def test_removing_a_pattern_is_compatible() -> None:
    class Old(BaseModel):
        sku: str = Field(pattern=r"^[A-Z0-9-]+$")

    class New(BaseModel):
        sku: str

    assert changes(Old, New) == []


@pytest.mark.parametrize(
    ("old_bounds", "new_bounds", "expected"),
    [
        (Field(ge=0), Field(ge=1), ["quantity: minimum tightened from 0 to 1"]),
        (Field(), Field(gt=0), ["quantity: exclusiveMinimum 0 added"]),
        (Field(le=100), Field(le=10), ["quantity: maximum tightened from 100 to 10"]),
        (Field(ge=1), Field(ge=0), []),
        (Field(le=10), Field(), []),
    ],
)
def test_tightened_numeric_bounds_are_breaking_and_loosened_ones_are_not(
    old_bounds: FieldInfo, new_bounds: FieldInfo, expected: list[str]
) -> None:
    class Old(BaseModel):
        quantity: Annotated[int, old_bounds]

    class New(BaseModel):
        quantity: Annotated[int, new_bounds]

    assert changes(Old, New) == expected


def test_tightened_length_limits_are_breaking() -> None:
    class Old(BaseModel):
        name: str = Field(max_length=80)
        tags: list[str]

    class New(BaseModel):
        name: str = Field(min_length=1, max_length=40)
        tags: list[str] = Field(max_length=5)

    assert changes(Old, New) == [
        "name: minLength 1 added",
        "name: maxLength tightened from 80 to 40",
        "tags: maxItems 5 added",
    ]


def test_changing_description_title_default_and_examples_is_compatible() -> None:
    class Old(BaseModel):
        """The first wording."""

        note: str = Field(default="", description="A free text note.")

    class New(BaseModel):
        """A better wording."""

        note: str = Field(default="-", title="Remark", description="Anything.", examples=["gift"])

    assert changes(Old, New) == []


def test_a_recursive_model_compared_with_itself_does_not_loop() -> None:
    assert changes(Category, Category) == []


def test_a_change_in_a_recursive_model_is_reported_once_without_looping() -> None:
    assert changes(Category, CategoryRenamed) == ["name: type changed from string to integer"]


def test_mutually_recursive_models_do_not_loop() -> None:
    assert changes(Node, Node) == []


def test_messages_are_collected_for_several_changes_at_once() -> None:
    class Old(BaseModel):
        sale_id: UUID
        total: Money
        channel: Channel

    class New(BaseModel):
        sale_id: str
        total: MoneyWithoutCurrency
        channel: ChannelOnlineOnly
        customer_ref: str

    assert changes(Old, New) == [
        "sale_id: type changed from string (uuid) to string",
        "total.currency: removed",
        "channel: enum value 'shop' removed",
        "customer_ref: new required field",
    ]


def test_a_union_of_models_reports_the_change_inside_the_matching_alternative() -> None:
    class Old(BaseModel):
        item: Money | Line

    class New(BaseModel):
        item: Money | LineWithTextQuantity

    assert changes(Old, New) == ["item.quantity: type changed from integer to string"]


def test_a_union_gaining_a_model_alternative_is_breaking() -> None:
    class Old(BaseModel):
        item: Money

    class New(BaseModel):
        item: Money | Line

    assert changes(Old, New) == ["item: union gained alternative Line"]


def test_an_unresolvable_ref_is_an_error() -> None:
    old = {"type": "object", "properties": {"total": {"$ref": "#/$defs/Money"}}}

    with pytest.raises(ValueError, match="unresolvable"):
        breaking_changes(old, old)
