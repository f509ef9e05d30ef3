from rest_framework.routers import DefaultRouter

from .views import (
    ArticleViewSet,
    NotificationViewSet,
    RatingViewSet,
    SupportAttachmentViewSet,
    SupportRequestViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("support-requests", SupportRequestViewSet, basename="support-request")
router.register("support-attachments", SupportAttachmentViewSet, basename="support-attachment")
router.register("ratings", RatingViewSet, basename="rating")
router.register("guidance-articles", ArticleViewSet, basename="guidance-article")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
