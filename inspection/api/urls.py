from rest_framework.routers import DefaultRouter

from .views import CheckViewSet, DeclarationChecksViewSet, GateViewSet, TeamViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("checks", CheckViewSet, basename="check")
router.register("gate", GateViewSet, basename="gate")
router.register("teams", TeamViewSet, basename="team")
# On the declarations prefix: a detail action only (the enterprise's view of its checks).
router.register("declarations", DeclarationChecksViewSet, basename="declaration")

urlpatterns = router.urls
