"""What a staff token must hold to call CRM's routes (`reloop_shared.http.authentication`).

Reading a profile and opening the personal data in it are apart: customer service and analysts
read profiles, timelines and consents with `crm:read`; only whoever also holds
`crm:read-personal` sees the opened contact details, or finds a profile by an e-mail address or a
phone number (a look-up by either is a query about a person's data). Merging and erasing, which
cannot be taken back lightly, are scopes of their own, as are exporting a customer's data and
reading the audit of personal data. A customer reaches only their own profile, with their own
token (`customer()`): their export and their erasure. Nothing of CRM is public."""

from __future__ import annotations

READ = "crm:read"
READ_PERSONAL = "crm:read-personal"
WRITE = "crm:write"
MERGE = "crm:merge"
ERASE = "crm:erase"
EXPORT = "crm:export"
"""Exporting everything CRM holds on a customer (art. 15), for the privacy office."""
AUDIT = "crm:audit"
"""Reading the audit of who opened, looked up, exported or erased whose personal data."""
