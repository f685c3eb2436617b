"""Beat entry point: keep the dashboards' figures current."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def refresh_figures(years=None):
    for year in years or services.years_to_refresh():
        services.figures_refresh(year=year)
