from rest_framework.routers import DefaultRouter

from .views import ReportExportViewSet, ReportViewSet, RevenueTargetViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("reports/targets", RevenueTargetViewSet, basename="revenue-target")
router.register("reports/exports", ReportExportViewSet, basename="report-export")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
