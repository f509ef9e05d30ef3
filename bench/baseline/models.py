from django.db import models


class BaselineRow(models.Model):
    """The bare endpoint's one INSERT: the floor any real POST is compared against."""

    reference = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.reference
