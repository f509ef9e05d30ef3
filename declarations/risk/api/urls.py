from rest_framework.routers import DefaultRouter

from .learning import BacktestViewSet, RiskModelViewSet, RiskProfileViewSet
from .views import ChannelRequestViewSet, DeclarationRiskViewSet

router = DefaultRouter()
router.include_root_view = False
# The same prefix as the declarations API: these viewsets add detail actions only.
router.register("declarations", DeclarationRiskViewSet, basename="declaration")
router.register("channel-requests", ChannelRequestViewSet, basename="channel-request")
# Learned selection (issue 19): backtests, trained models, the profiles in use.
router.register("risk/backtests", BacktestViewSet, basename="risk-backtest")
router.register("risk/models", RiskModelViewSet, basename="risk-model")
router.register("risk/profiles", RiskProfileViewSet, basename="risk-profile")

urlpatterns = router.urls
