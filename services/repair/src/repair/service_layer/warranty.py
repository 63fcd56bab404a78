"""The warranty's projection: which units reloop sold, when and where, from `SaleRecorded`.

A sale line names the unit (`unit_id`) and its SKU but not the IMEI, so a ticket finds the
warranty only by unit id: a shop's drop-off of a unit reloop sold names it, and so may a mail
customer (it is on their order). A device known only by its IMEI is not matched.
"""

from __future__ import annotations

from repair.domain import commands
from repair.domain.coverage import SoldDevice
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def when_device_sold_record_its_warranty(cmd: commands.RecordSoldDevices, uow: RepairUnitOfWork) -> None:
    if not cmd.units:
        return
    async with uow:
        await uow.sold_devices.record(
            [SoldDevice(u.unit_id, u.sku, cmd.sale_id, cmd.market, cmd.sold_at) for u in cmd.units]
        )
        await uow.commit()
