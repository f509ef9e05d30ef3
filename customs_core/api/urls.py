from rest_framework.routers import DefaultRouter

from .views import BorderGateViewSet, ExchangeRateViewSet, RegimeViewSet, TariffLineViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("tariff-lines", TariffLineViewSet, basename="tariff-line")
router.register("regimes", RegimeViewSet, basename="regime")
router.register("border-gates", BorderGateViewSet, basename="border-gate")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")

urlpatterns = router.urls
