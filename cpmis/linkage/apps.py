from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "cpmis.linkage"
    label = "linkage"
    verbose_name = "Record linkage"

    def ready(self) -> None:
        # Linkage sits above people and exchange: it lends them what they need instead of
        # being imported by them (tests/test_architecture.py).
        from cpmis.exchange.signals import submission_received
        from cpmis.people.hooks import hooks

        from . import evidence, selectors, services

        hooks.compare_children = evidence.children_agree
        hooks.writer_lock = services.decision_lock
        hooks.child_links = selectors.child_links_marked
        submission_received.connect(services.on_submission_received, weak=False)

        from .jobs import register_kinds

        register_kinds()
