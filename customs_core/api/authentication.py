from rest_framework.authentication import TokenAuthentication as BaseTokenAuthentication


class TokenAuthentication(BaseTokenAuthentication):
    """DRF's token authentication, loading the user's enterprise in the same query (every
    scoped selector and every declarant's write needs it)."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__enterprise").get(key=key)
        except model.DoesNotExist:
            return super().authenticate_credentials(key)  # raises the standard 401
        if not token.user.is_active:
            return super().authenticate_credentials(key)
        return token.user, token
