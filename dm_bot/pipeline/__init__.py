"""The application layer: ports, the service (every use case), outbox rows, tracked links, worker, scheduler, clock."""
