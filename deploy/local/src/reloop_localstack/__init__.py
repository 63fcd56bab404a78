"""A real local stack (Apache Kafka in KRaft mode, PostgreSQL) that needs no Docker engine."""
