from rest_framework.routers import DefaultRouter

from .views import ChannelRequestViewSet, DeclarationViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("declarations", DeclarationViewSet, basename="declaration")
router.register("channel-requests", ChannelRequestViewSet, basename="channel-request")

urlpatterns = router.urls
