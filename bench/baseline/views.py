from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import BaselineRow


class BaselineInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=50)
    amount = serializers.DecimalField(max_digits=18, decimal_places=4)


class BaselineView(APIView):
    """Token auth, validation, one INSERT, a small JSON answer: a bare DRF POST."""

    def post(self, request):
        serializer = BaselineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = BaselineRow.objects.create(**serializer.validated_data)
        return Response({"id": row.pk}, status=status.HTTP_201_CREATED)
