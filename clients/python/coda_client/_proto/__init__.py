"""Messages of proto/coda/v1 (generated: see clients/python/gen_proto.py)."""
