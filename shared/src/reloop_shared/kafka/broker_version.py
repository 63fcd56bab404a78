"""The Apache Kafka version the system runs on, everywhere: the local stack's jars, the container
images (`apache/kafka:<version>`), docker-compose.yml and the Strimzi `Kafka` resource. A test
(`tests/test_one_broker_version.py`) fails when one of them says otherwise."""

BROKER_VERSION = "4.1.1"
