"""Planners: one module per use case. Each reads through the source layer, maps through the pure mapping layer
and returns typed write operations (SyncBatch) that the OpenMetadata IO manager carries out."""
