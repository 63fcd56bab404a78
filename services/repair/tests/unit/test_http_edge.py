"""The workshop's edge on its twin: who may call what, customers seeing only their own tickets,
the public tracking lookup giving nothing personal away, and a parcel driven through HTTP from
intake to its way back."""

from __future__ import annotations

from reloop_localstack.testing import customer_headers, luhn_imei, staff_headers
from reloop_shared.http.authentication import guards
from repair.bootstrap import build
from repair.config import RepairSettings
from services.repair.tests.fakes import RepairTwin

READ, WORKSHOP = "scopes:repair:read", "scopes:repair:workshop"
WORKSHOP_SCOPE = "repair:workshop"
PARCEL = {
    "market": "FR",
    "device": {
        "identifier": {"kind": "imei", "value": luhn_imei(4242)},
        "category": "smartphone",
        "model": "iphone-13",
    },
    "symptoms": "the screen is cracked",
    "photos": ["https://img.example/1.jpg"],
    "shipment_reference": "COLIS-123",
}
DIAGNOSIS = {
    "findings": ["screen cracked"],
    "parts": [{"part_sku": "SCREEN-IP13", "quantity": 1}],
    "estimate": {"amount_minor": 12900, "currency": "EUR"},
}


def test_every_workshop_route_says_who_may_call_it() -> None:
    _, app = build(RepairSettings())
    # The subscriptions' routes (renewal runs among them) are checked by their own tests.
    found = {route: kind for route, kind in guards(app).items() if "subscri" not in route and "renewal" not in route}
    steps = ("start-repair", "repaired", "quality-passed", "quality-failed", "send-back", "hand-back")
    assert found == {
        "GET /healthz": "public",
        "GET /readyz": "public",
        "GET /metrics": "public",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
        "POST /tickets": "customer",
        "POST /workshop/tickets": WORKSHOP,
        "POST /tickets/{ticket_id}/tracking-code": WORKSHOP,
        "POST /tickets/{ticket_id}/diagnosis": WORKSHOP,
        "POST /tickets/{ticket_id}/quote-answer": "customer",
        **{f"POST /tickets/{{ticket_id}}/{step}": WORKSHOP for step in steps},
        "GET /tickets": READ,
        "GET /tickets/overdue": READ,
        "GET /me/tickets": "customer",
        "GET /tickets/{ticket_id}": "customer-or-scopes:repair:read",
        "POST /centres/{centre_id}/parts/{part_sku}/receipts": WORKSHOP,
        "GET /centres/{centre_id}/parts": READ,
        "GET /track/{code}": "public",
    }


async def test_a_parcel_goes_from_the_customers_intake_through_a_quote_to_its_way_back() -> None:
    twin = RepairTwin()
    staff = staff_headers(WORKSHOP_SCOPE)
    async with twin.client(customer_headers("acct-7")) as ada, twin.client(staff) as workshop:
        opened = await ada.post("/tickets", json=PARCEL)
        assert opened.status_code == 201, opened.text
        ticket_id, code = opened.json()["ticket"]["ticket_id"], opened.json()["tracking_code"]
        assert opened.json()["ticket"]["coverage"] == "paid"
        receipt = await workshop.post("/centres/CENTRE-LYON/parts/SCREEN-IP13/receipts", json={"quantity": 2})
        assert receipt.json()["available"] == 2
        quoted = await workshop.post(f"/tickets/{ticket_id}/diagnosis", json=DIAGNOSIS)
        assert (quoted.json()["status"], quoted.json()["quote"]["amount_minor"]) == ("quoted", 12900)
        accepted = await ada.post(f"/tickets/{ticket_id}/quote-answer", json={"accepted": True})
        assert accepted.json()["status"] == "waiting_for_parts"
        for step in ("start-repair", "repaired", "quality-passed", "send-back"):
            moved = await workshop.post(f"/tickets/{ticket_id}/{step}", json={})
            assert moved.status_code == 200, moved.text
        tracked = await twin.client().get(f"/track/{code}")
        assert tracked.json() == {"status": "shipped_back", "since": tracked.json()["since"]}
        mine = await ada.get("/me/tickets")
        assert [t["ticket_id"] for t in mine.json()["items"]] == [ticket_id]
        assert (await ada.get(f"/tickets/{ticket_id}")).json()["charged"]["amount_minor"] == 12900


async def test_another_customers_ticket_answers_404_and_a_wrong_step_409_naming_the_status() -> None:
    twin = RepairTwin()
    async with twin.client(customer_headers("acct-7")) as ada, twin.client(customer_headers("acct-8")) as bob:
        ticket_id = (await ada.post("/tickets", json=PARCEL)).json()["ticket"]["ticket_id"]
        assert (await bob.get(f"/tickets/{ticket_id}")).status_code == 404
        assert (await bob.post(f"/tickets/{ticket_id}/quote-answer", json={"accepted": True})).status_code == 404
        async with twin.client(staff_headers(WORKSHOP_SCOPE)) as workshop:
            refused = await workshop.post(f"/tickets/{ticket_id}/repaired", json={})
        assert refused.status_code == 409
        assert refused.json()["field"] == "status"


async def test_an_invalid_imei_is_a_422_naming_the_identifier_and_the_tracking_code_finds_nothing_else() -> None:
    twin = RepairTwin()
    async with twin.client(customer_headers("acct-7")) as ada:
        bad = {**PARCEL, "device": {**PARCEL["device"], "identifier": {"kind": "imei", "value": "352099001761482"}}}  # type: ignore[dict-item]
        refused = await ada.post("/tickets", json=bad)
        assert (refused.status_code, refused.json()["field"]) == (422, "identifier")
    async with twin.client() as anyone:
        assert (await anyone.get("/track/RPR-2222-2222-2222-2222")).status_code == 404
        assert (await anyone.get("/tickets")).status_code == 401
    async with twin.client(staff_headers("repair:read")) as reader:
        assert (await reader.post("/tickets/T-1/diagnosis", json=DIAGNOSIS)).status_code == 403
