from rest_framework.routers import DefaultRouter

from .views import (
    BondedWarehouseViewSet,
    BorderGateViewSet,
    CodeListViewSet,
    CountryViewSet,
    CurrencyViewSet,
    CustomsOfficeViewSet,
    ExchangeRateViewSet,
    RegimeViewSet,
    TariffLineViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("tariff-lines", TariffLineViewSet, basename="tariff-line")
router.register("regimes", RegimeViewSet, basename="regime")
router.register("border-gates", BorderGateViewSet, basename="border-gate")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("countries", CountryViewSet, basename="country")
router.register("currencies", CurrencyViewSet, basename="currency")
router.register("customs-offices", CustomsOfficeViewSet, basename="customs-office")
router.register("bonded-warehouses", BondedWarehouseViewSet, basename="bonded-warehouse")
router.register("code-lists", CodeListViewSet, basename="code-list")

urlpatterns = router.urls
