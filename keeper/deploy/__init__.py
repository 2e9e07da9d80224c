"""Deploying an ALP vault from a reviewed spec: the spec, the chain registry, the resumable record and the steps."""
