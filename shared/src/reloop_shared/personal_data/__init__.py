"""Personal data on the bus: sealed per data subject (crypto-shredding).

Kafka topics are immutable logs, so personal fields never travel in clear: a producer seals them
with its data subject's own key, an authorised consumer opens them, and destroying the key makes
every copy, on every topic and in every backup, unreadable. The keys themselves are stored
wrapped under key-encryption keys (envelope encryption).
"""

from reloop_shared.personal_data.key_encryption_keys import (
    KeyEncryptionKeys,
    LocalKeyEncryptionKeys,
    UnknownKeyEncryptionKey,
)
from reloop_shared.personal_data.keys import KeyStore, PostgresKeyStore
from reloop_shared.personal_data.memory_key_store import InMemoryKeyStore
from reloop_shared.personal_data.sealing import (
    PersonalDataSealer,
    open_with_key,
)
from reloop_shared.personal_data.service_key_store import ServiceKeyStore

__all__ = [
    "InMemoryKeyStore",
    "KeyEncryptionKeys",
    "KeyStore",
    "LocalKeyEncryptionKeys",
    "PersonalDataSealer",
    "PostgresKeyStore",
    "ServiceKeyStore",
    "UnknownKeyEncryptionKey",
    "open_with_key",
]
