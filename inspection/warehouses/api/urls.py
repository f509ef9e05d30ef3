from rest_framework.routers import DefaultRouter

from .views import (
    DeclarationDrawsViewSet,
    HeldViewSet,
    MovementViewSet,
    StockItemViewSet,
    WarehouseViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock-items", StockItemViewSet, basename="stock-item")
router.register("stock-movements", MovementViewSet, basename="stock-movement")
router.register("held-stock", HeldViewSet, basename="held-stock")
# On the declarations prefix: a detail action only (the lines' named stock).
router.register("declarations", DeclarationDrawsViewSet, basename="declaration-stock")

urlpatterns = router.urls
