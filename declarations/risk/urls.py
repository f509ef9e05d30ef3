"""Risk officer pages: rules, reference prices, what-if, requests, channel overrides."""

from django.urls import path

from . import views, views_learning

app_name = "risk"

urlpatterns = [
    path("", views.ruleset_list, name="rules"),
    path("rulesets/<int:pk>/", views.ruleset_detail, name="ruleset"),
    path("rulesets/<int:pk>/clone/", views.ruleset_clone, name="ruleset-clone"),
    path("rulesets/<int:pk>/rules/new/", views.rule_new, name="rule-new"),
    path("rulesets/<int:pk>/simulate/", views.ruleset_simulate, name="simulate"),
    path("rulesets/<int:pk>/activate/", views.ruleset_activate, name="ruleset-activate"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("reference-prices/", views.reference_price_list, name="reference-prices"),
    path("reference-prices/<str:hs_code>/", views.reference_price_edit,
         name="reference-price-edit"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request-decide"),
    path("declarations/<int:pk>/raise/", views.declaration_raise_channel, name="raise-channel"),
    path("declarations/<int:pk>/lower/", views.declaration_request_lowering,
         name="request-lowering"),
    # learned selection (views_learning.py)
    path("learning/", views_learning.learning, name="learning"),
    path("learning/profiles/rebuild/", views_learning.learning_rebuild, name="learning-rebuild"),
    path("learning/models/train/", views_learning.learning_train, name="learning-train"),
    path("learning/models/<int:version>/", views_learning.model_detail, name="learning-model"),
    path("learning/models/<int:version>/activate/", views_learning.model_activate,
         name="learning-model-activate"),
    path("learning/models/<int:version>/retire/", views_learning.model_retire,
         name="learning-model-retire"),
    path("rulesets/<int:pk>/backtest/", views_learning.backtest_new, name="backtest-new"),
    path("backtests/", views_learning.backtest_list, name="backtests"),
    path("backtests/<int:pk>/", views_learning.backtest_detail, name="backtest"),
]
