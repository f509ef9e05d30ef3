"""Risk scoring and channel routing (DESIGN.md §5): rules in the database, a pure scoring
function, and the routing service the Celery task calls."""
