from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coproduce.demo"
    label = "demo"
    verbose_name = "Demo and synthetic data (the top layer: may import every app)"
