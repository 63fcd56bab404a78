"""reloop's Kubernetes manifests, written from the topic registry (`reloop k8s generate`)."""
