"""The dashboard pages and their links on /dash/ (the browser tests are in tests/e2e)."""

import json

import pytest
from django.test import Client

from publishing.dashboards import links

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def initial(response):
    text = response.content.decode()
    start = text.index('<script id="pub-initial" type="application/json">') + len(
        '<script id="pub-initial" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_queue_page_for_social_managers_carries_the_queue_and_live_groups(make_user, make_post):
    post = make_post()
    response = client_for(make_user("social_manager")).get("/dash/publishing/")
    assert response.status_code == 200
    data = initial(response)
    assert [p["id"] for p in data["posts"]] == [post.pk]
    assert data["can_manage"] is True and data["groups"] == ["role.social_manager"]
    assert "t-youtube" not in response.content.decode()  # credentials never reach the page
    assert all("credentials" not in account for account in data["accounts"])
    assert "csrftoken" in response.cookies


def test_producers_read_only_and_others_are_refused(make_user):
    producer = client_for(make_user("producer"))
    data = initial(producer.get("/dash/publishing/"))
    assert data["can_manage"] is False and data["groups"] == ["role.producer"]
    assert producer.get("/dash/publishing/templates/").status_code == 200
    crew = client_for(make_user("crew"))
    assert crew.get("/dash/publishing/").status_code == 403
    assert crew.get("/dash/publishing/templates/").status_code == 403
    assert Client().get("/dash/publishing/").status_code == 302  # to the login


def test_dashboard_links(make_user):
    assert [title for title, _ in links(make_user("social_manager"))] == ["Publishing queue", "AI templates"]
    assert links(make_user("crew")) == []
    index = client_for(make_user("producer")).get("/dash/").content.decode()
    assert "/dash/publishing/" in index and "/dash/publishing/templates/" in index


def test_the_queue_shows_held_posts_with_their_reason(make_user, make_post, accounts):
    from django.utils import timezone

    from publishing import services
    from publishing.models import PlatformAccount, PostStatus

    post = make_post(platform="tiktok")
    PlatformAccount.objects.filter(pk=accounts["tiktok"].pk).update(authenticated=False)
    services.dispatch_due_posts(clock=timezone.now)
    shown = {p["id"]: p for p in initial(client_for(make_user("social_manager")).get("/dash/publishing/"))["posts"]}
    assert shown[post.pk]["status"] == PostStatus.HELD
    assert "not authenticated" in shown[post.pk]["last_error"]


def test_the_page_shows_times_in_the_publishing_time_zone(make_user, settings):
    settings.PUBLISHING_TIME_ZONE = "Asia/Kolkata"
    page = initial(client_for(make_user("social_manager")).get("/dash/publishing/"))
    assert page["timezone"] == "Asia/Kolkata"
