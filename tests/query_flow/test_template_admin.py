from __future__ import annotations

from cdi import querying
from cdi.models import QueryTemplate


def test_editing_a_template_in_the_admin_creates_a_new_version(client, cast):
    querying.sync_templates()
    cast.admin.is_staff = True
    cast.admin.is_superuser = True
    cast.admin.save()
    client.force_login(cast.admin)
    original = QueryTemplate.objects.get(category="undocumented_diagnosis", condition="hyponatremia")
    url = f"/admin/cdi/querytemplate/{original.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(
        question="Based on your clinical judgment, can the sodium findings be further specified?",
        options='["Hypovolemic hyponatremia", "Other (please specify)", "Clinically undetermined"]',
        terms="[]",
        is_active="on",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    versions = list(QueryTemplate.objects.filter(condition="hyponatremia").order_by("version"))
    assert [(t.version, t.is_active) for t in versions] == [(1, False), (2, True)]
    assert versions[0].question == original.question
    assert querying.active_template("undocumented_diagnosis", "hyponatremia").version == 2
