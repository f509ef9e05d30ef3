from celery import shared_task


@shared_task(acks_late=True)
def noop_task(declaration_id: int) -> None:
    """The floor for a routing task: same queue, same acks, no work."""
    return None
