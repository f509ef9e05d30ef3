from rest_framework.routers import DefaultRouter

from .views import ChannelRequestViewSet, DeclarationRiskViewSet

router = DefaultRouter()
router.include_root_view = False
# The same prefix as the declarations API: these viewsets add detail actions only.
router.register("declarations", DeclarationRiskViewSet, basename="declaration")
router.register("channel-requests", ChannelRequestViewSet, basename="channel-request")

urlpatterns = router.urls
