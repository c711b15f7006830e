"""Every URL pattern of the project, from the resolver, against every role: the expected status.

A URL pattern added anywhere (an app's urls.py, a ninja router, a model registered with the
django-admin) fails `test_every_url_is_in_the_matrix` until it has a row in TABLE; a row whose
pattern is gone fails `test_the_matrix_has_no_stale_rows`. Keys are "namespace:name", or the
route string for a pattern without a name.

Roles (the columns, in ROLES order; the scene is tests/security/authz_scene.py):
  anon   anonymous visitor
  link   anonymous visitor holding the associate's valid signed link where the URL takes a
         token (self-service, unsubscribe, booking, consultation invitation/response, interim
         survey, open link, registration confirmation); every other role sends a forged token
  su     service user: a lay member of the service user and carer panel with no staff role
         group (as lay members are set up); both rounds are on the scientific committee, so
         they are another panel's confidential rounds to them
  panel  scientific committee member, reviewer in both rounds (staff reader: committee members
         are usually academic staff)
  res    researcher on the study's team (researcher group, current research role)
  df     diffusion fellow seconded to the study, signed in, no staff role
  mgr    manager
On /api/ and /email/bounces/ each signed-in role sends its own staff API token (issued to every
signed-in user, so the DF's and the lay member's show that a token without a staff role is
refused).

Symbols: L = redirect to the staff sign-in page; A = redirect to the django-admin sign-in page;
R = any other redirect (301/302); numbers are status codes. Row constants: PUBLIC (200 for
all), ALL_STAFF (any staff role reads; not the lay member nor the DF), TEAM (the study's research team and managers), MANAGERS,
REVIEWS (committee members, the study team, managers), LINK (only the link's holder),
POST_ACTION (a manager's POST-only action), PERSONAL_DATA_EXPORT and PERSONAL_DATA_API (bulk
export of personal data and the API's people and associates: the "personal data export" grant,
which managers hold; `test_the_personal_data_export_grant_opens_them` gives it to the staff
reader), ADMIN, NOT_FOUND, REDIRECT.

GET is used unless the row says POST or PATCH (an API write: the matrix's tokens are
read-only, so every role is refused; `test_api_writes_with_read_write_tokens` gives each role a
read-write token and a valid body for every API write operation, and the ETag it needs). A
non-API POST row's view refuses GET with 405 (which
`test_post_only_urls_refuse_get` checks); a POST carries no data. Every cell runs in a
savepoint that is rolled back and the client's cookies are restored after it, so cells do not
affect each other. A GET must not queue a message or write an audit entry, except the reads the
code audits on purpose (exports, and opening confidential review material: AUDITED_READS).
`test_no_cell_returned_500` fails on any server error.

django-admin (listed prefix rule): no role is is_staff, so an admin pattern without a row of its
own expects ADMIN (every role sent to the admin sign-in); each pattern is still enumerated and
requested for every role. Own rows: the sign-in page (200) and sign-out (GET redirects, signs
nobody out). The API: public lists answer everyone; people and associates need a staff token
(401 without one, or with the DF's) whose owner holds the personal data export grant (403
otherwise); so do contacts, although the contacts pages show a researcher their studies'.

Spreadsheets: `test_only_known_exports_answer_with_a_spreadsheet` fails when a URL answers
with a CSV or XLSX file and is not in `tests/security/test_exports.py`'s EXPORTS (each of which
is proved there to go through the one spreadsheet writer). Calendars and feeds:
`test_only_known_calendars_and_feeds_answer_with_one` likewise against
`tests/events/test_every_calendar_and_feed.py`'s CALENDARS and FEEDS.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import OutboxMessage
from tests.security.authz_scene import Scene, build

pytestmark = pytest.mark.django_db

ROLES = ("anon", "link", "su", "panel", "res", "df", "mgr")
L, A, R = "L", "A", "R"
FORGED = "forged-token-0123456789"

# Rows: key -> (method, expected per role in ROLES order).
PUBLIC = (200,) * 7
ALL_STAFF = (L, L, 403, 200, 200, 403, 200)  # any staff role reads; lay member and DF refused
TEAM = (L, L, 403, 403, 200, 403, 200)  # the study's research team and managers
MANAGERS = (L, L, 403, 403, 403, 403, 200)
ADMIN = (A,) * 7
REVIEWS = (L, L, 403, 200, 200, 403, 200)  # committee members, the study team, managers
LINK = (404, 200, 404, 404, 404, 404, 404)  # only the holder of the signed link gets in
NOT_FOUND = (404,) * 7
REDIRECT = (R,) * 7
POST_ACTION = (L, L, 403, 403, 403, 403, R)  # a manager's action; others refused
# Bulk export of personal data and the API's personal data: managers, or staff also given the
# "personal data export" group (no role in the scene has it but the manager).
PERSONAL_DATA_EXPORT = (L, L, 403, 403, 403, 403, 200)
PERSONAL_DATA_API = (401, 401, 401, 403, 403, 401, 200)
# The API's staff reads: any staff role's token (the lay member's and the DF's tokens have no
# staff role behind them: 401, as if there were no token).
ALL_STAFF_API = (401, 401, 401, 200, 200, 401, 200)
# An API write with the matrix's tokens, which are read-only: refused for every role (what
# each role's read-write token may change is `test_api_writes_with_read_write_tokens`).
READ_TOKEN_WRITE = (401, 401, 401, 403, 403, 401, 403)
# The API's reads of a study's qualitative project: its research team and managers, as on the
# project's pages; with personal data (sources' titles, memos, coders), also the grant.
TEAM_API = (401, 401, 401, 403, 200, 401, 200)
TEAM_PERSONAL_API = (401, 401, 401, 403, 403, 401, 200)
TABLE: dict[str, tuple[str, tuple[Any, ...]]] = {
    "admin:login": ("GET", PUBLIC),
    "admin:logout": ("GET", REDIRECT),
    "api:api-root": ("GET", NOT_FOUND),
    # Personal data: a staff token whose owner holds the personal data export grant (managers;
    # test_the_personal_data_export_grant_opens_them); another staff token 403; a lay panel
    # member's or the DF's (no staff role) 401.
    "api:get_associate": ("GET", PERSONAL_DATA_API),
    "api:create_barrier": ("POST", READ_TOKEN_WRITE),
    "api:create_booking": ("POST", READ_TOKEN_WRITE),
    "api:create_event": ("POST", READ_TOKEN_WRITE),
    "api:create_involvement": ("POST", READ_TOKEN_WRITE),
    "api:create_record": ("POST", READ_TOKEN_WRITE),
    "api:create_study": ("POST", READ_TOKEN_WRITE),
    "api:update_record": ("PATCH", READ_TOKEN_WRITE),
    "api:update_barrier": ("PATCH", READ_TOKEN_WRITE),
    "api:update_involvement": ("PATCH", READ_TOKEN_WRITE),
    "api:update_study": ("PATCH", READ_TOKEN_WRITE),
    "api:create_output": ("POST", READ_TOKEN_WRITE),
    "api:update_output": ("PATCH", READ_TOKEN_WRITE),
    "api:create_contribution": ("POST", READ_TOKEN_WRITE),
    "api:update_contribution": ("PATCH", READ_TOKEN_WRITE),
    "api:update_event": ("PATCH", READ_TOKEN_WRITE),
    "api:update_booking": ("PATCH", READ_TOKEN_WRITE),
    "api:get_booking": ("GET", PERSONAL_DATA_API),
    "api:list_outputs": ("GET", ALL_STAFF_API),
    "api:get_output": ("GET", ALL_STAFF_API),
    # Funding: staff read the award and the ledger's contributions; records naming a person
    # need the personal data export grant.
    "api:list_awards": ("GET", ALL_STAFF_API),
    "api:list_contributions": ("GET", ALL_STAFF_API),
    "api:get_contribution": ("GET", ALL_STAFF_API),
    "api:list_staff_time": ("GET", PERSONAL_DATA_API),
    "api:get_staff_time": ("GET", PERSONAL_DATA_API),
    "api:create_staff_time": ("POST", READ_TOKEN_WRITE),
    "api:update_staff_time": ("PATCH", READ_TOKEN_WRITE),
    "api:list_further_funding": ("GET", PERSONAL_DATA_API),
    "api:list_vacancies": ("GET", PERSONAL_DATA_API),
    "api:list_fellow_events": ("GET", PERSONAL_DATA_API),
    "api:list_placement_agreements": ("GET", PERSONAL_DATA_API),
    "api:list_training_sessions": ("GET", PERSONAL_DATA_API),
    "api:list_attendance": ("GET", PERSONAL_DATA_API),
    # Contacts: personal data, so the grant (managers), as for people and associates; a
    # researcher, whom the contacts pages show their studies' contacts, is refused here too.
    "api:list_contacts": ("GET", PERSONAL_DATA_API),
    "api:get_contact": ("GET", PERSONAL_DATA_API),
    "api:update_contact": ("PATCH", READ_TOKEN_WRITE),
    # Qualitative: any staff token lists the projects it may code (a staff reader's list is
    # empty: tests/api/test_more_domains.py); one project and its parts, the team only.
    "api:list_projects": ("GET", ALL_STAFF_API),
    "api:get_project": ("GET", TEAM_API),
    "api:list_codes": ("GET", TEAM_API),
    "api:list_sources": ("GET", TEAM_PERSONAL_API),
    "api:list_codings": ("GET", TEAM_PERSONAL_API),
    "api:get_barrier": ("GET", ALL_STAFF_API),
    "api:get_compromise": ("GET", ALL_STAFF_API),
    "api:get_consultation": ("GET", ALL_STAFF_API),
    "api:get_event": ("GET", ALL_STAFF_API),
    "api:get_involvement": ("GET", PERSONAL_DATA_API),
    "api:get_measure": ("GET", ALL_STAFF_API),
    "api:get_panel": ("GET", ALL_STAFF_API),
    "api:get_record": ("GET", ALL_STAFF_API),
    "api:get_round": ("GET", ALL_STAFF_API),  # who sees its reviews: tests/api/test_governance.py
    "api:list_barriers": ("GET", ALL_STAFF_API),
    "api:list_bookings": ("GET", PERSONAL_DATA_API),
    "api:list_compromises": ("GET", ALL_STAFF_API),
    "api:list_consultations": ("GET", ALL_STAFF_API),
    "api:list_events": ("GET", ALL_STAFF_API),
    "api:list_indicative": ("GET", ALL_STAFF_API),
    "api:list_involvement": ("GET", PERSONAL_DATA_API),
    "api:list_measures": ("GET", ALL_STAFF_API),
    "api:list_panels": ("GET", ALL_STAFF_API),
    "api:list_recommendations": ("GET", ALL_STAFF_API),
    "api:list_records": ("GET", ALL_STAFF_API),
    "api:list_rounds": ("GET", ALL_STAFF_API),
    "api:get_cop": ("GET", PUBLIC),
    "api:get_person": ("GET", PERSONAL_DATA_API),
    "api:get_study": ("GET", PUBLIC),
    "api:list_associates": ("GET", PERSONAL_DATA_API),
    "api:list_cops": ("GET", PUBLIC),
    "api:list_organisations": ("GET", PUBLIC),
    "api:list_people": ("GET", PERSONAL_DATA_API),
    "api:list_studies": ("GET", PUBLIC),
    "api:list_themes": ("GET", PUBLIC),
    "api:openapi-json": ("GET", PUBLIC),
    "api:openapi-view": ("GET", PUBLIC),
    "api_tokens:create": ("POST", ALL_STAFF),
    "api_tokens:list": ("GET", ALL_STAFF),
    "api_tokens:revoke": ("POST", (L, L, 403, 404, R, 403, R)),
    # Webhooks send the collaboration's events outside it: managers only.
    "webhooks:list": ("GET", MANAGERS),
    "webhooks:create": ("POST", (L, L, 403, 403, 403, 403, 200)),  # a blank form: its errors
    "webhooks:detail": ("GET", MANAGERS),
    "webhooks:turn_off": ("POST", POST_ACTION),
    "webhooks:redeliver": ("POST", POST_ACTION),
    "associates/": ("GET", REDIRECT),
    "associates:confirm": ("GET", LINK),
    "associates:confirmed": ("GET", PUBLIC),
    "associates:join": ("GET", PUBLIC),
    "associates:join_sent": ("GET", PUBLIC),
    "associates:manage": ("GET", LINK),
    "associates:manage_data": ("GET", LINK),
    "associates:manage_erase": ("GET", LINK),
    "associates:manage_request": ("GET", PUBLIC),
    "associates:manage_request_sent": ("GET", PUBLIC),
    "associates_staff:bulk_add": ("POST", (L, L, 403, 403, 403, 403, 400)),
    "associates_staff:consent": ("GET", MANAGERS),
    "associates_staff:detail": ("GET", ALL_STAFF),
    "associates_staff:directory": ("GET", ALL_STAFF),
    "associates_staff:edit": ("GET", MANAGERS),
    "associates_staff:erase": ("GET", MANAGERS),
    "associates_staff:merge": ("POST", POST_ACTION),
    # Bulk personal data: the personal data export grant (managers; see
    # test_the_personal_data_export_grant_opens_them), not every staff role.
    "associates_staff:export_csv": ("GET", PERSONAL_DATA_EXPORT),
    "associates_staff:export_xlsx": ("GET", PERSONAL_DATA_EXPORT),
    "associates_staff:import": ("GET", MANAGERS),
    # A bounce suppresses an address: a manager's token only (400: the empty body is no DSN).
    "comms:bounces": ("POST", (401, 401, 401, 403, 403, 401, 400)),
    "comms:unsubscribe": ("GET", LINK),
    "comms_staff:confirm": ("GET", MANAGERS),
    "comms_staff:create": ("GET", MANAGERS),
    "comms_staff:detail": ("GET", ALL_STAFF),
    "comms_staff:edit": ("GET", MANAGERS),
    "comms_staff:list": ("GET", ALL_STAFF),
    "comms_staff:pause": ("POST", POST_ACTION),
    "comms_staff:preview": ("POST", MANAGERS),
    "comms_staff:progress": ("GET", ALL_STAFF),
    "comms_staff:resume": ("POST", POST_ACTION),
    "comms_staff:schedule": ("GET", MANAGERS),
    "comms_staff:test": ("POST", POST_ACTION),
    "comms_staff:unschedule": ("POST", POST_ACTION),
    "community:cop": ("GET", PUBLIC),
    "community:cops": ("GET", PUBLIC),
    "community_staff:activity_add": ("GET", TEAM),
    "community_staff:activity_delete": ("GET", TEAM),
    "community_staff:activity_edit": ("GET", TEAM),
    "community_staff:cop": ("GET", ALL_STAFF),
    "community_staff:edit": ("GET", TEAM),
    "community_staff:health": ("GET", ALL_STAFF),
    "community_staff:health_all": ("GET", ALL_STAFF),
    "community_staff:leadership": ("GET", TEAM),
    "community_staff:list": ("GET", ALL_STAFF),
    "consultations:ballot": ("GET", LINK),
    "consultations:ballot_thanks": ("GET", LINK),
    "consultations:invitation": ("GET", LINK),
    "consultations:open": ("GET", LINK),
    "consultations:response": ("GET", LINK),
    "coproduction:analysis": ("GET", ALL_STAFF),
    "coproduction:attachment": ("GET", TEAM),
    "coproduction:broker_activities": ("GET", MANAGERS),
    "coproduction:broker_delete": ("GET", (L, L, 403, 403, 403, 200, 200)),
    "coproduction:broker_edit": ("GET", (L, L, 403, 403, 403, 200, 200)),
    "coproduction:broker_log": ("GET", (L, L, 403, 403, 403, 200, 403)),
    "coproduction:compromise": ("GET", ALL_STAFF),
    "coproduction:compromise_add": ("GET", TEAM),
    "coproduction:compromise_edit": ("GET", TEAM),
    "coproduction:compromises": ("GET", ALL_STAFF),
    "coproduction:consent": ("GET", TEAM),
    "coproduction:dialogue_add": ("GET", TEAM),
    "coproduction:dialogue_delete": ("GET", TEAM),
    "coproduction:dialogue_edit": ("GET", TEAM),
    "coproduction:dialogues": ("GET", ALL_STAFF),
    "coproduction:document_add": ("GET", TEAM),
    "coproduction:email_import": ("GET", TEAM),
    "coproduction:export_compromises": ("GET", TEAM),
    "coproduction:export_sources": ("GET", TEAM),
    "coproduction:gripp2": ("GET", ALL_STAFF),
    "coproduction:gripp2_md": ("GET", ALL_STAFF),
    "coproduction:gripp2_pdf": ("GET", ALL_STAFF),
    "coproduction:home": ("GET", (L, L, 403, 200, 200, 200, 200)),
    "coproduction:involvement": ("GET", ALL_STAFF),
    "coproduction:involvement_add": ("GET", TEAM),
    "coproduction:involvement_delete": ("GET", TEAM),
    "coproduction:involvement_edit": ("GET", TEAM),
    "coproduction:journal": ("GET", (L, L, 403, 403, 403, 403, 403)),
    "coproduction:journal_add": ("GET", (L, L, 403, 403, 403, 403, 403)),
    "coproduction:journal_edit": ("GET", (L, L, 403, 403, 403, 403, 403)),
    "coproduction:journal_shared": ("GET", (L, L, 200, 200, 200, 200, 200)),
    "coproduction:journal_summary": ("GET", (L, L, 403, 403, 403, 403, 403)),
    "coproduction:journal_supervisors": ("GET", (L, L, 403, 403, 403, 403, 403)),
    "coproduction:meeting_add": ("GET", TEAM),
    "coproduction:participants": ("GET", TEAM),
    "coproduction:payments_csv": ("GET", MANAGERS),
    "coproduction:payments_xlsx": ("GET", MANAGERS),
    "coproduction:rate_add": ("GET", MANAGERS),
    "coproduction:rate_edit": ("GET", MANAGERS),
    "coproduction:rates": ("GET", ALL_STAFF),
    "coproduction:source": ("GET", TEAM),
    "coproduction:source_delete": ("GET", TEAM),
    "coproduction:source_edit": ("GET", TEAM),
    "coproduction:sources": ("GET", TEAM),
    "coproduction:study": ("GET", ALL_STAFF),
    "coproduction:time_used": ("GET", ALL_STAFF),
    "events:booking": ("GET", LINK),
    "events:check_email": ("GET", PUBLIC),
    "events:detail": ("GET", PUBLIC),
    "events:feed": ("GET", PUBLIC),
    "events:ical": ("GET", PUBLIC),
    "events:list": ("GET", PUBLIC),
    "events:past": ("GET", PUBLIC),
    "events_staff:attendance": ("POST", POST_ACTION),
    "events_staff:cancel": ("GET", MANAGERS),
    "events_staff:create": ("GET", MANAGERS),
    "events_staff:detail": ("GET", ALL_STAFF),
    "events_staff:edit": ("GET", MANAGERS),
    "events_staff:list": ("GET", ALL_STAFF),
    "governance:annual_reviews": ("GET", ALL_STAFF),
    "governance:assessment": ("GET", (L, L, 403, 200, 403, 403, 403)),
    "governance:assign": ("POST", MANAGERS),
    "governance:condition_met": ("POST", POST_ACTION),
    "governance:dashboard": ("GET", ALL_STAFF),
    "governance:declare": ("POST", (L, L, 403, 403, 403, 403, 403)),
    "governance:member_add": ("GET", MANAGERS),
    "governance:member_edit": ("GET", MANAGERS),
    "governance:member_end": ("GET", MANAGERS),
    # The scientific committee's page: another panel to the lay member (their own is 200:
    # test_a_lay_member_sees_their_own_panel_and_nothing_else).
    "governance:panel": ("GET", ALL_STAFF),
    "governance:panels": ("GET", (L, L, 200, 200, 200, 403, 200)),  # a lay member: their own
    "governance:protocol_download": ("GET", REVIEWS),
    "governance:protocol_new": ("GET", TEAM),
    "governance:protocol_submit": ("GET", TEAM),
    "governance:recommendation": ("GET", (L, L, 403, 403, 403, 403, 200)),
    "governance:release": ("POST", POST_ACTION),
    "governance:response": ("GET", TEAM),
    "governance:round": ("GET", REVIEWS),
    "governance:steering_create": ("POST", POST_ACTION),
    "governance:study": ("GET", ALL_STAFF),
    "governance:timeline": ("GET", ALL_STAFF),
    # Funding and capacity: staff read; managers change (a statement download is an audited read).
    "funding:attendance_create": ("GET", MANAGERS),
    "funding:attendance_delete": ("GET", MANAGERS),
    "funding:attendance_edit": ("GET", MANAGERS),
    "funding:award_create": ("GET", MANAGERS),
    "funding:award_delete": ("GET", MANAGERS),
    "funding:award_detail": ("GET", ALL_STAFF),
    "funding:award_edit": ("GET", MANAGERS),
    "funding:award_list": ("GET", ALL_STAFF),
    "funding:awardamount_create": ("GET", MANAGERS),
    "funding:awardamount_delete": ("GET", MANAGERS),
    "funding:awardamount_edit": ("GET", MANAGERS),
    "funding:capacity": ("GET", ALL_STAFF),
    "funding:contribution_create": ("GET", MANAGERS),
    "funding:contribution_delete": ("GET", MANAGERS),
    "funding:contribution_detail": ("GET", ALL_STAFF),
    "funding:contribution_edit": ("GET", MANAGERS),
    "funding:contribution_list": ("GET", ALL_STAFF),
    "funding:fellowevent_create": ("GET", MANAGERS),
    "funding:fellowevent_delete": ("GET", MANAGERS),
    "funding:fellowevent_detail": ("GET", ALL_STAFF),
    "funding:fellowevent_edit": ("GET", MANAGERS),
    "funding:fellowevent_list": ("GET", ALL_STAFF),
    "funding:fellows": ("GET", ALL_STAFF),
    "funding:furtherfunding_create": ("GET", MANAGERS),
    "funding:furtherfunding_delete": ("GET", MANAGERS),
    "funding:furtherfunding_detail": ("GET", ALL_STAFF),
    "funding:furtherfunding_edit": ("GET", MANAGERS),
    "funding:furtherfunding_list": ("GET", ALL_STAFF),
    "funding:overview": ("GET", ALL_STAFF),
    "funding:placementagreement_create": ("GET", MANAGERS),
    "funding:placementagreement_delete": ("GET", MANAGERS),
    "funding:placementagreement_detail": ("GET", ALL_STAFF),
    "funding:placementagreement_edit": ("GET", MANAGERS),
    "funding:placementagreement_list": ("GET", ALL_STAFF),
    "funding:session_create": ("GET", MANAGERS),
    "funding:session_delete": ("GET", MANAGERS),
    "funding:session_detail": ("GET", ALL_STAFF),
    "funding:session_edit": ("GET", MANAGERS),
    "funding:session_list": ("GET", ALL_STAFF),
    "funding:stafftime_create": ("GET", MANAGERS),
    "funding:stafftime_delete": ("GET", MANAGERS),
    "funding:stafftime_detail": ("GET", ALL_STAFF),
    "funding:stafftime_edit": ("GET", MANAGERS),
    "funding:stafftime_list": ("GET", ALL_STAFF),
    "funding:statement": ("GET", ALL_STAFF),
    "funding:statement_download": ("GET", ALL_STAFF),
    "funding:vacancy": ("GET", ALL_STAFF),
    "funding:vacancy_agree": ("GET", MANAGERS),
    "funding:vacancy_create": ("GET", MANAGERS),
    "funding:vacancy_delete": ("GET", MANAGERS),
    "funding:vacancy_edit": ("GET", MANAGERS),
    "funding:vacancy_list": ("GET", ALL_STAFF),
    "funding:vacancy_nominate": ("GET", MANAGERS),
    "funding:vacancy_withdraw": ("POST", POST_ACTION),
    "implementation:administration": ("GET", ALL_STAFF),
    "implementation:administration_add": ("GET", TEAM),
    "implementation:administration_import": ("GET", TEAM),
    "implementation:annual_report": ("GET", ALL_STAFF),
    "implementation:annual_report_download": ("GET", ALL_STAFF),
    "implementation:annual_report_prepare": ("POST", (L, L, 403, R, R, 403, R)),
    "implementation:cycle_add": ("GET", TEAM),
    "implementation:determinant_add": ("GET", TEAM),
    "implementation:determinant_edit": ("GET", TEAM),
    "implementation:determinants": ("GET", ALL_STAFF),
    "implementation:evaluation_cops": ("GET", ALL_STAFF),
    "implementation:evaluation_engagement": ("GET", ALL_STAFF),
    "implementation:evaluation_fellows": ("GET", ALL_STAFF),
    "implementation:instrument": ("GET", ALL_STAFF),
    "implementation:instruments": ("GET", ALL_STAFF),
    "implementation:item_edit": ("GET", MANAGERS),
    "implementation:matrix": ("GET", ALL_STAFF),
    "implementation:measure": ("GET", ALL_STAFF),
    "implementation:measure_add": ("GET", TEAM),
    "implementation:measure_edit": ("GET", TEAM),
    "implementation:network": ("GET", ALL_STAFF),
    "implementation:output": ("GET", ALL_STAFF),
    "implementation:output_add": ("GET", TEAM),
    "implementation:output_edit": ("GET", TEAM),
    "implementation:outputs": ("GET", ALL_STAFF),
    "implementation:output_export": ("GET", ALL_STAFF),
    "implementation:outputs_import": ("GET", TEAM),
    "implementation:overview": ("GET", ALL_STAFF),
    "implementation:point_add": ("GET", TEAM),
    "implementation:recommendation": ("GET", ALL_STAFF),
    "implementation:recommendation_add": ("GET", TEAM),
    "implementation:recommendation_status": ("GET", TEAM),
    "implementation:recommendations": ("GET", ALL_STAFF),
    "implementation:record": ("GET", ALL_STAFF),
    "implementation:record_add": ("GET", TEAM),
    "implementation:record_edit": ("GET", TEAM),
    "implementation:record_status": ("GET", TEAM),
    "implementation:response_add": ("GET", TEAM),
    "implementation:study": ("GET", ALL_STAFF),
    "implementation:study_matrix": ("GET", ALL_STAFF),
    "implementation:trend": ("GET", ALL_STAFF),
    "news:detail": ("GET", PUBLIC),
    "news:feed": ("GET", PUBLIC),
    "outputs:feed": ("GET", PUBLIC),
    "pathway:collaboration": ("GET", ALL_STAFF),
    "pathway:impact_case_markdown": ("GET", ALL_STAFF),
    "pathway:impact_case_pdf": ("GET", ALL_STAFF),
    "pathway:study": ("GET", ALL_STAFF),
    "outputs:list": ("GET", PUBLIC),
    "news:list": ("GET", PUBLIC),
    "pages:bare": ("GET", NOT_FOUND),
    "pages:contact": ("GET", PUBLIC),
    "pages:contact_thanks": ("GET", PUBLIC),
    "pages:favicon": ("GET", PUBLIC),
    "pages:healthz": ("GET", PUBLIC),
    "pages:home": ("GET", PUBLIC),
    "priorities:index": ("GET", PUBLIC),
    "priorities_staff:create": ("GET", MANAGERS),
    "priorities_staff:detail": ("GET", ALL_STAFF),
    "priorities_staff:edit": ("GET", MANAGERS),
    "priorities_staff:export": ("GET", ALL_STAFF),
    "priorities_staff:indicative": ("GET", ALL_STAFF),
    "priorities_staff:indicative_list": ("GET", ALL_STAFF),
    "priorities_staff:into_scope": ("POST", POST_ACTION),
    "priorities_staff:invitees": ("GET", ALL_STAFF),
    "priorities_staff:list": ("GET", ALL_STAFF),
    "priorities_staff:merge": ("POST", POST_ACTION),
    "priorities_staff:new_link": ("POST", POST_ACTION),
    "priorities_staff:out_of_scope": ("POST", POST_ACTION),
    "priorities_staff:priority_outcome": ("GET", MANAGERS),
    "priorities_staff:question_create": ("GET", MANAGERS),
    "priorities_staff:question_edit": ("GET", MANAGERS),
    "priorities_staff:send": ("POST", POST_ACTION),
    "priorities_staff:shortlist": ("POST", POST_ACTION),
    "priorities_staff:submission": ("GET", ALL_STAFF),
    "priorities_staff:submissions": ("GET", ALL_STAFF),
    "priorities_staff:survey": ("GET", ALL_STAFF),
    "priorities_staff:survey_create": ("GET", MANAGERS),
    "priorities_staff:unmerge": ("POST", POST_ACTION),
    "priorities_staff:workshop": ("GET", ALL_STAFF),
    "priorities_staff:workshop_create": ("GET", MANAGERS),
    "priorities_staff:workshop_edit": ("GET", MANAGERS),
    "priorities_staff:workshop_publish": ("POST", POST_ACTION),
    "priorities_staff:workshop_round": ("GET", MANAGERS),
    "priorities_staff:workshop_top_ten": ("GET", MANAGERS),
    "qualitative:agreement": ("GET", TEAM),
    "qualitative:analysis": ("GET", TEAM),
    "qualitative:analysis_download": ("GET", TEAM),
    "qualitative:code": ("GET", TEAM),
    "qualitative:codebook": ("GET", TEAM),
    "qualitative:coding_delete": ("POST", (L, L, 403, 403, R, 403, 404)),  # the coder's own
    "qualitative:compare": ("GET", TEAM),
    "qualitative:home": ("GET", ALL_STAFF),
    "qualitative:import": ("GET", TEAM),
    "qualitative:project": ("GET", TEAM),
    "qualitative:qdc": ("GET", TEAM),
    "qualitative:qdpx": ("GET", TEAM),
    "qualitative:source": ("GET", TEAM),
    "qualitative:sources_add": ("GET", TEAM),
    "qualitative:start": ("POST", (L, L, 403, 403, R, 403, R)),
    "qualitative:starter": ("POST", (L, L, 403, 403, R, 403, R)),
    "qualitative:upload": ("GET", TEAM),
    "registry:report_studies_by_theme": ("GET", PUBLIC),
    "registry:report_studies_by_theme_download": ("GET", PUBLIC),
    "registry:studies": ("GET", PUBLIC),
    "registry:study": ("GET", PUBLIC),
    "registry:theme": ("GET", PUBLIC),
    "registry:themes": ("GET", PUBLIC),
    "registry:who_is_who": ("GET", PUBLIC),
    "registry:who_is_who_fellows": ("GET", PUBLIC),
    "registry:who_is_who_former_fellows": ("GET", PUBLIC),
    "registry:who_is_who_residents": ("GET", PUBLIC),
    "registry:who_is_who_former_residents": ("GET", PUBLIC),
    # A link to a person's entry: sent on to the list and page that has it.
    "registry:who_is_who_person": ("GET", REDIRECT),
    "staff:enquiries": ("GET", ALL_STAFF),
    "staff:enquiry": ("GET", ALL_STAFF),
    "staff:enquiry_status": ("POST", POST_ACTION),
    # Everything held about a person (right of access): the personal data export grant.
    "staff:personal_data": ("GET", PERSONAL_DATA_EXPORT),
    # Erasure by address: managers; a POST without the address re-shows the form (200).
    "staff:personal_data_erase": ("POST", (L, L, 403, 403, 403, 403, 200)),
    "staff:processing": ("GET", ALL_STAFF),
    "staff:duplicates": ("GET", PERSONAL_DATA_EXPORT),
    # Contacts: any staff role lists (a researcher sees the contacts of their studies only); a
    # contact's page: the study team sees the participant of its study, a staff reader without
    # the export grant sees no study's contacts (404); the record's download, the duplicates
    # queue and comparing two contacts need the export grant; merging, managers.
    "staff:contacts": ("GET", ALL_STAFF),
    "staff:lookup_communities": ("GET", ALL_STAFF),
    "staff:lookup_studies": ("GET", ALL_STAFF),
    "staff:contact": ("GET", (L, L, 403, 404, 200, 403, 200)),
    "staff:contact_download": ("POST", (L, L, 403, 403, 403, 403, R)),
    "staff:contact_duplicates": ("GET", PERSONAL_DATA_EXPORT),
    "staff:contact_merge": ("GET", PERSONAL_DATA_EXPORT),
    "staff:contact_not_duplicate": ("POST", POST_ACTION),
    # A lay panel member (no staff role) lands on their panels; the DF (neither) is refused.
    "staff:home": ("GET", (L, L, R, 200, 200, 403, 200)),
    # The bench's staff yardstick: off (404) unless COPRODUCE_BENCH_BARE_PAGE;
    # test_bench_bare_staff_page_when_on checks it is ALL_STAFF when on.
    "staff:bench_bare": ("GET", NOT_FOUND),
    "staff:login": ("GET", PUBLIC),
    "signin:unlock": ("GET", LINK),  # the emailed unlock link of a locked account
    "staff:logout": ("POST", REDIRECT),
    "staff:organisation_create": ("GET", MANAGERS),
    "staff:organisation_delete": ("GET", MANAGERS),
    "staff:organisation_detail": ("GET", ALL_STAFF),
    "staff:organisation_edit": ("GET", MANAGERS),
    "staff:organisation_list": ("GET", ALL_STAFF),
    "staff:person_create": ("GET", MANAGERS),
    "staff:person_delete": ("GET", MANAGERS),
    "staff:person_detail": ("GET", ALL_STAFF),
    "staff:person_edit": ("GET", MANAGERS),
    "staff:person_list": ("GET", ALL_STAFF),
    "staff:placement_create": ("GET", MANAGERS),
    "staff:placement_delete": ("GET", MANAGERS),
    "staff:placement_detail": ("GET", ALL_STAFF),
    "staff:placement_edit": ("GET", MANAGERS),
    "staff:placement_list": ("GET", ALL_STAFF),
    "staff:role_create": ("GET", MANAGERS),
    "staff:role_delete": ("GET", MANAGERS),
    "staff:role_detail": ("GET", ALL_STAFF),
    "staff:role_edit": ("GET", MANAGERS),
    "staff:role_list": ("GET", ALL_STAFF),
    "staff:secondment_create": ("GET", MANAGERS),
    "staff:secondment_delete": ("GET", MANAGERS),
    "staff:secondment_detail": ("GET", ALL_STAFF),
    "staff:secondment_edit": ("GET", MANAGERS),
    "staff:secondment_list": ("GET", ALL_STAFF),
    "staff:study_create": ("GET", MANAGERS),
    "staff:study_delete": ("GET", MANAGERS),
    "staff:study_detail": ("GET", ALL_STAFF),
    "staff:study_edit": ("GET", TEAM),
    "staff:study_list": ("GET", ALL_STAFF),
    "staff:theme_create": ("GET", MANAGERS),
    "staff:theme_delete": ("GET", MANAGERS),
    "staff:theme_detail": ("GET", ALL_STAFF),
    "staff:theme_edit": ("GET", MANAGERS),
    "staff:theme_list": ("GET", ALL_STAFF),
    "twofactor:backup_codes": ("GET", (L, L, 403, R, R, 403, R)),
    "twofactor:disable": ("GET", (L, L, 403, R, R, 403, R)),
    "twofactor:overview": ("GET", ALL_STAFF),
    "twofactor:replace": ("GET", (L, L, 403, R, R, 403, R)),
    "twofactor:setup": ("GET", ALL_STAFF),
    "twofactor:verify": ("GET", (L, L, R, R, R, R, R)),
}


# --- the resolver ------------------------------------------------------------------------------


ADMIN_PREFIX = "django-admin/"


def expected(key: str, route: str) -> tuple[str, tuple[Any, ...]] | None:
    """The row for a key; django-admin patterns without a row of their own get ADMIN (listed
    prefix rule: each is still enumerated and requested for every role)."""
    if key in TABLE:
        return TABLE[key]
    if route.startswith(ADMIN_PREFIX):
        return ("GET", ADMIN)
    return None


def url_patterns() -> dict[str, tuple[URLPattern, str]]:
    """Every pattern as key -> (pattern, full route)."""
    found: dict[str, tuple[URLPattern, str]] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, route, inner)
            elif isinstance(entry, URLPattern):
                key = f"{namespace}:{entry.name}" if entry.name and namespace else entry.name
                key = key or route
                assert key not in found, f"two patterns share the key {key}"
                found[key] = (entry, route)

    walk(get_resolver().url_patterns, "", "")
    return found


# --- building URLs -----------------------------------------------------------------------------

TOKENS = {
    "associates:confirm": "confirm",
    "associates:manage": "manage",
    "associates:manage_data": "manage",
    "associates:manage_erase": "manage",
    "events:booking": "booking",
    "comms:unsubscribe": "unsubscribe",
    "consultations:invitation": "invitation",
    "consultations:response": "response",
    "consultations:ballot": "ballot",
    "consultations:ballot_thanks": "ballot",
    "consultations:open": "open",
    "signin:unlock": "unlock",
}

# What a "public_id" in the URL names, per key (scene object name).
PUBLIC_IDS = {
    "comms_staff": "draft",
    "associates_staff": "associate",
    "community_staff": "activity",
    "api_tokens": "api_token",
    "webhooks": "webhook",
    "webhooks:redeliver": "webhook_delivery",
    "governance:member_edit": "membership",
    "governance:member_end": "membership",
    "governance:protocol_download": "version",
    "governance:protocol_submit": "version",
    "governance:response": "released",
    "governance:condition_met": "condition",
    "governance": "round",
    "coproduction:broker_edit": "broker_activity",
    "coproduction:broker_delete": "broker_activity",
    "coproduction:rate_edit": "rate",
    "coproduction:journal_edit": "journal_entry",
    "coproduction:journal_summary": "placement",
    "coproduction:journal_supervisors": "placement",
    "coproduction:compromise": "compromise",
    "coproduction:compromise_edit": "compromise",
    "coproduction:source": "source",
    "coproduction:source_edit": "source",
    "coproduction:source_delete": "source",
    "coproduction:attachment": "source",
    "coproduction:consent": "participant",
    "coproduction:dialogue_edit": "dialogue",
    "coproduction:dialogue_delete": "dialogue",
    "coproduction:involvement_edit": "involvement",
    "coproduction:involvement_delete": "involvement",
    "qualitative": "qual_source",
    "qualitative:code": "qual_code",
    "qualitative:coding_delete": "qual_coding",
    "priorities_staff:question_edit": "question",
    "priorities_staff:new_link": "invitation",
    "priorities_staff:submission": "submission",
    "priorities_staff:into_scope": "submission",
    "priorities_staff:unmerge": "submission",
    "priorities_staff:indicative": "indicative",
    "priorities_staff:survey": "survey",
    "priorities_staff:shortlist": "survey",
    "priorities_staff": "workshop",
    "funding:awardamount_create": "award",
    "funding:attendance_create": "training_session",
    "funding:vacancy_nominate": "vacancy",
    "funding:vacancy_agree": "vacancy",
    "funding:vacancy_withdraw": "vacancy",
    "implementation:item_edit": "item",
    "implementation:record": "record",
    "implementation:record_edit": "record",
    "implementation:record_status": "record",
    "implementation:determinant_edit": "determinant",
    "implementation:recommendation": "recommendation",
    "implementation:recommendation_status": "recommendation",
    "implementation:administration": "administration",
    "implementation:response_add": "administration",
    "implementation:administration_import": "administration",
    "implementation:measure": "measure",
    "implementation:measure_edit": "measure",
    "implementation:point_add": "measure",
    "implementation:cycle_add": "measure",
    "implementation:output": "output",
    "implementation:output_edit": "output",
    "staff:enquiry": "enquiry",
    "staff:contact": "contact",
    "staff:contact_download": "contact",
    "staff:enquiry_status": "enquiry",
    "api:get_person": "person",
    "registry:who_is_who_person": "person",
    "api:get_contact": "contact",
    "api:update_contact": "contact",
    "api:get_associate": "associate",
    "api:get_record": "record",
    "api:update_record": "record",
    "api:get_barrier": "determinant",
    "api:update_barrier": "determinant",
    "api:update_involvement": "involvement",
    "api:get_measure": "measure",
    "api:get_round": "round",
    "api:get_compromise": "compromise",
    "api:get_involvement": "involvement",
    "api:get_output": "output",
    "api:update_output": "output",
    "api:get_contribution": "contribution",
    "api:update_contribution": "contribution",
    "api:get_staff_time": "staff_time",
    "api:update_staff_time": "staff_time",
    "api:list_attendance": "training_session",
    "api:get_project": "qual_project",
    "api:list_codes": "qual_project",
    "api:list_sources": "qual_project",
    "api:list_codings": "qual_project",
    "api:get_booking": "booking",
    "api:update_booking": "booking",
}

# What a "slug" names, per key or namespace; the study otherwise.
SLUGS = {
    "registry:theme": "theme",
    "community": "cop",
    "community_staff": "cop",
    "news": "sent",
    "events": "event",
    "events_staff": "event",
    "governance:panel": "committee",
    "governance:member_add": "committee",
    "governance:member_edit": "committee",
    "governance:member_end": "committee",
    "consultations": "consultation",
    "priorities_staff": "consultation",
    "funding:statement": "organisation",
    "funding:statement_download": "organisation",
    "implementation:instrument": "nomad",
    "implementation:item_edit": "nomad",
    "api:get_cop": "cop",
    "api:get_event": "event",
    "api:list_bookings": "event",
    "api:create_booking": "event",
    "api:get_booking": "event",
    "api:update_booking": "event",
    "api:update_event": "event",
    "api:get_panel": "committee",
    "api:get_consultation": "consultation",
    "api:list_indicative": "consultation",
}

STAFF_KEYS = {
    "organisation": "organisation",
    "theme": "theme",
    "study": "study",
    "person": "person",
    "role": "role",
    "secondment": "secondment",
    "placement": "placement",
    "award": "award",
    "awardamount": "award_amount",
    "contribution": "contribution",
    "stafftime": "staff_time",
    "furtherfunding": "further_funding",
    "vacancy": "vacancy",
    "fellowevent": "fellow_event",
    "session": "training_session",
    "placementagreement": "placement_agreement",
    "attendance": "attendance",
}

# Patterns reverse() cannot build (no name): their URL is written out.
UNNAMED_URLS = {"django-admin/(?P<url>.*)$": "/django-admin/no-such-page/"}


def _lookup(table: dict[str, str], key: str) -> str | None:
    return table.get(key) or table.get(key.rsplit(":", 1)[0])


def url_for(key: str, pattern: URLPattern, route: str, scene: Scene, role: str) -> str:
    if key in UNNAMED_URLS:
        return UNNAMED_URLS[key]
    kwargs: dict[str, Any] = {}
    for param in pattern.pattern.regex.groupindex:
        if param == "token":
            kwargs[param] = scene.links[TOKENS[key]] if role == "link" else FORGED
        elif param == "slug":
            kwargs[param] = getattr(scene, _lookup(SLUGS, key) or "study").slug
        elif param == "public_id":
            kwargs[param] = getattr(scene, _lookup(PUBLIC_IDS, key) or "?").public_id
        elif param == "key":
            name = STAFF_KEYS[key.split(":")[1].rsplit("_", 1)[0]]
            obj = getattr(scene, name)
            kwargs[param] = obj.slug if hasattr(obj, "slug") else obj.public_id
        elif param in ("first", "second"):  # two contacts compared
            kwargs[param] = getattr(
                scene, "contact" if param == "first" else "other_contact"
            ).public_id
        elif param == "attachment_id":
            kwargs[param] = scene.attachment.public_id
        elif param == "iq":
            kwargs[param] = scene.indicative.public_id
        elif param == "instrument":
            kwargs[param] = scene.nomad.slug
        elif param in ("number", "position"):
            kwargs[param] = 1
        elif param == "fmt":
            kwargs[param] = "csv"
        elif param == "year":
            kwargs[param] = 2011
        elif param == "extension":
            kwargs[param] = "xlsx"
        elif param == "app_label":
            kwargs[param] = "auth"
        elif route.startswith("django-admin/"):  # object ids, content type ids
            kwargs[param] = scene.users["manager"].pk
        else:
            raise AssertionError(f"{key}: say what to put in <{param}>")
    if pattern.name:
        return reverse(key, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


# --- running a cell ----------------------------------------------------------------------------

ROLE_USERS = {"su": "service user", "panel": "panel member", "res": "researcher", "df": "df"}
ROLE_USERS["mgr"] = "manager"
TOKEN_PATHS = ("/api/", "/email/bounces/")


@pytest.fixture(scope="module")
def scene(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Scene]:
    """Built once for the module inside a transaction that is rolled back at the end."""
    data_dir = tmp_path_factory.mktemp("authz")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(DATA_DIR=data_dir, PASSWORD_HASHERS=fast),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
            built.objects["clients"] = clients = {}
            for role in ROLES:
                client = Client(raise_request_exception=False)
                if role in ROLE_USERS:
                    client.force_login(built.users[ROLE_USERS[role]])
                clients[role] = client
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


RESULTS: dict[tuple[str, str], Any] = {}
CONTENT_TYPES: dict[tuple[str, str], str] = {}


# Reads the code audits on purpose: exports, and who opened confidential review material.
AUDITED_READS = r"\.(exported|viewed|downloaded)$"


def _counts() -> tuple[int, int]:
    """Rows a GET must not add: audit entries (bar audited reads) and outbox messages."""
    audit = AuditEntry.objects.exclude(action__regex=AUDITED_READS).count()
    return audit, OutboxMessage.objects.count()


def run_cell(scene: Scene, key: str, role: str) -> tuple[Any, str]:
    """The cell's observed symbol, and a note for failure messages."""
    pattern, route = url_patterns()[key]
    method = (expected(key, route) or ("GET", ()))[0]
    url = url_for(key, pattern, route, scene, role)
    client: Client = scene.clients[role]
    headers = {}
    if role in ROLE_USERS and url.startswith(TOKEN_PATHS):
        headers["Authorization"] = f"Bearer {scene.tokens[ROLE_USERS[role]]}"
    cookies = copy.deepcopy(client.cookies)  # a sign-out cell must not sign the role out
    with transaction.atomic():
        before = _counts()
        if method == "GET":
            response = client.get(url, headers=headers)
        elif method == "PATCH":
            response = client.patch(url, {}, content_type="application/json", headers=headers)
        else:
            response = client.post(url, {}, headers=headers)
        changed = method == "GET" and _counts() != before
        transaction.set_rollback(True)
    client.cookies = cookies
    status = response.status_code
    note = f"{role} {method} {url}: {status}"
    if status in (301, 302):
        location = response["Location"]
        note += f" -> {location}"
        symbol: Any = (
            L
            if location.startswith("/staff/sign-in/")
            else A
            if location.startswith("/django-admin/login/")
            else R
        )
    else:
        symbol = status
    if status == 500 and getattr(response, "exc_info", None):
        note += f" ({response.exc_info[1]!r})"
    if changed:
        symbol = f"{symbol} and GET wrote audit/outbox rows"
    RESULTS[(key, role)] = symbol
    CONTENT_TYPES[(key, role)] = response.get("Content-Type", "")
    return symbol, note


# --- the tests ---------------------------------------------------------------------------------


def matrix() -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Every pattern the resolver has that has a row (its own, or the django-admin rule)."""
    rows = {}
    for key, (_, route) in url_patterns().items():
        row = expected(key, route)
        if row is not None:
            rows[key] = row
    return rows


def test_every_url_is_in_the_matrix() -> None:
    missing = sorted(set(url_patterns()) - set(matrix()))
    assert not missing, "add these URL patterns to TABLE:\n" + "\n".join(missing)


def test_the_matrix_has_no_stale_rows() -> None:
    stale = sorted(set(TABLE) - set(url_patterns()))
    assert not stale, "TABLE rows whose URL pattern no longer exists:\n" + "\n".join(stale)


def test_rows_are_well_formed() -> None:
    for key, (method, expected) in TABLE.items():
        assert method in ("GET", "POST") or (method == "PATCH" and key.startswith("api:")), key
        assert len(expected) == len(ROLES), key


@pytest.mark.parametrize("key", sorted(matrix()))
def test_access(scene: Scene, key: str) -> None:
    wrong = []
    for role, want in zip(ROLES, matrix()[key][1], strict=True):
        got, note = run_cell(scene, key, role)
        if got != want:
            wrong.append(f"{note}; expected {want}")
    assert not wrong, "\n".join(wrong)


def test_post_only_urls_refuse_get(scene: Scene) -> None:
    client = scene.clients["mgr"]
    patterns = url_patterns()
    wrong = []
    for key, (method, _) in matrix().items():
        # An API operation shares its path with the reads of the same records (REST): the
        # method chooses the operation, so a GET there is the read, not a refusal.
        if method == "POST" and not key.startswith("api:"):
            url = url_for(key, *patterns[key], scene, "link")
            with transaction.atomic():
                status = client.get(url).status_code
                transaction.set_rollback(True)
            if status != 405:
                wrong.append(f"GET {url}: {status}")
    assert not wrong, "\n".join(wrong)


def test_no_cell_returned_500(scene: Scene) -> None:
    """Runs after test_access (same module, file order) and reuses its results; cells it did not
    see (a -k selection, another xdist worker) are run here."""
    errors = []
    for key in sorted(matrix()):
        for role in ROLES:
            symbol = RESULTS.get((key, role))
            note = ""
            if symbol is None:
                symbol, note = run_cell(scene, key, role)
            if str(symbol).startswith("500"):
                errors.append(note or f"{role} {key}")
    assert not errors, "server errors:\n" + "\n".join(errors)


SPREADSHEET_TYPES = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml")


def test_only_known_exports_answer_with_a_spreadsheet(scene: Scene) -> None:
    """Every URL that answered any role with a CSV or XLSX file is one whose cells
    tests/security/test_exports.py proves to go through the one spreadsheet writer."""
    from tests.security.test_exports import EXPORTS

    found = set()
    for key in sorted(matrix()):
        for role in ROLES:
            if (key, role) not in CONTENT_TYPES:
                run_cell(scene, key, role)
            if CONTENT_TYPES[(key, role)].startswith(SPREADSHEET_TYPES):
                found.add(key)
    assert found == set(EXPORTS), (
        f"spreadsheets from URLs not in EXPORTS: {sorted(found - set(EXPORTS))}; "
        f"EXPORTS rows no role got a spreadsheet from: {sorted(set(EXPORTS) - found)}"
    )


CALENDAR_AND_FEED_TYPES = ("text/calendar", "application/atom+xml", "application/rss+xml")


def test_only_known_calendars_and_feeds_answer_with_one(scene: Scene) -> None:
    """Every URL that answered any role with a calendar or a feed is one that
    tests/events/test_every_calendar_and_feed.py reads back with an independent parser."""
    from tests.events.test_every_calendar_and_feed import CALENDARS, FEEDS

    found = set()
    for key in sorted(matrix()):
        for role in ROLES:
            if (key, role) not in CONTENT_TYPES:
                run_cell(scene, key, role)
            if CONTENT_TYPES[(key, role)].startswith(CALENDAR_AND_FEED_TYPES):
                found.add(key)
    known = set(CALENDARS) | set(FEEDS)
    assert found == known, (
        f"calendars or feeds from URLs not in CALENDARS/FEEDS: {sorted(found - known)}; "
        f"rows no role got a calendar or feed from: {sorted(known - found)}"
    )


PERSONAL_DATA_KEYS = (
    "associates_staff:export_csv",
    "associates_staff:export_xlsx",
    "staff:personal_data",
    "staff:duplicates",
    "staff:contact_duplicates",
    "staff:contact_merge",
    "api:get_associate",
    "api:get_person",
    "api:list_associates",
    "api:list_people",
    "api:list_bookings",
    "api:list_involvement",
    "api:get_involvement",
    "api:get_booking",
    "api:list_staff_time",
    "api:get_staff_time",
    "api:list_further_funding",
    "api:list_vacancies",
    "api:list_fellow_events",
    "api:list_placement_agreements",
    "api:list_training_sessions",
    "api:list_attendance",
    "api:list_contacts",
    "api:get_contact",
)


def test_the_personal_data_export_grant_opens_them(scene: Scene) -> None:
    """The staff reader (the panel role) refused above gets in once given the grant, and so does
    the researcher; the group alone, without a staff role, opens nothing for the DF."""
    from django.contrib.auth.models import Group

    from coproduce.registry.access import PERSONAL_DATA_EXPORT

    assert set(PERSONAL_DATA_KEYS) <= set(TABLE)
    group = Group.objects.get(name=PERSONAL_DATA_EXPORT)  # made by registry/0004
    wrong = []
    with transaction.atomic():
        for name in ("panel member", "researcher", "df"):
            scene.users[name].groups.add(group)
        for key in PERSONAL_DATA_KEYS:
            for role, want in (("panel", 200), ("res", 200), ("df", None)):
                got, note = run_cell(scene, key, role)
                if want is None:
                    want = 401 if key.startswith("api:") else 403
                if got != want:
                    wrong.append(f"{note}; expected {want}")
                RESULTS.pop((key, role))  # not the matrix's cells: those have no grant
                CONTENT_TYPES.pop((key, role))
        transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)


def test_bench_bare_staff_page_when_on(scene: Scene) -> None:
    """The bench's bare staff page, off in the matrix (404 to all), is any staff page's access
    when the bench turns it on: the sign-in page for visitors, 403 without a staff role."""
    wrong = []
    with override_settings(BENCH_BARE_PAGE=True):
        for role, want in zip(ROLES, ALL_STAFF, strict=True):
            got, note = run_cell(scene, "staff:bench_bare", role)
            if got != want:
                wrong.append(f"{note}; expected {want}")
            RESULTS.pop(("staff:bench_bare", role))
            CONTENT_TYPES.pop(("staff:bench_bare", role))
    assert not wrong, "\n".join(wrong)


def test_a_lay_member_sees_their_own_panel_and_nothing_else(scene: Scene) -> None:
    """The lay member's own panel (the matrix's panel row names the scientific committee), the
    staff home sending them there, and a menu offering only their panels."""
    client = scene.clients["su"]
    with transaction.atomic():
        home = client.get(reverse("staff:home"))
        panels = client.get(reverse("governance:panels"))
        own = client.get(reverse("governance:panel", args=[scene.lay_panel.slug]))
        transaction.set_rollback(True)
    assert home.status_code == 302
    assert home["Location"] == reverse("governance:panels")
    assert own.status_code == 200
    assert panels.status_code == 200
    listed = panels.content.decode()
    assert scene.lay_panel.get_absolute_url() in listed
    assert scene.committee.get_absolute_url() not in listed
    for html in (listed, own.content.decode()):
        menu = re.findall(r'class="nhsuk-header__navigation-link" href="([^"]+)"', html)
        assert menu == [reverse("governance:panels")], menu
        assert reverse("governance:dashboard") + '"' not in html  # the staff-only dashboard
        assert "/staff/associates/" not in html


# --- API writes with read-write tokens ---------------------------------------------------------

# Per API write operation: the expected status for each role's read-write token (ROLES order;
# anon and link send no token). Creating: the study's research team and managers (studies:
# managers); bookings and involvement are personal data, so the grant (managers) as well.
CREATED_BY_TEAM = (401, 401, 401, 403, 201, 401, 201)
CHANGED_BY_TEAM = (401, 401, 401, 403, 200, 401, 200)
API_WRITES: dict[str, tuple[str, tuple[Any, ...]]] = {
    "api:create_study": ("POST", (401, 401, 401, 403, 403, 401, 201)),
    "api:update_study": ("PATCH", CHANGED_BY_TEAM),
    "api:create_record": ("POST", CREATED_BY_TEAM),
    "api:update_record": ("PATCH", CHANGED_BY_TEAM),
    "api:create_barrier": ("POST", CREATED_BY_TEAM),
    "api:update_barrier": ("PATCH", CHANGED_BY_TEAM),
    "api:update_involvement": ("PATCH", (401, 401, 401, 403, 403, 401, 200)),
    "api:create_booking": ("POST", (401, 401, 401, 403, 403, 401, 201)),
    "api:create_event": ("POST", (401, 401, 401, 403, 403, 401, 201)),
    "api:create_involvement": ("POST", (401, 401, 401, 403, 403, 401, 201)),
    "api:create_output": ("POST", CREATED_BY_TEAM),
    "api:update_output": ("PATCH", CHANGED_BY_TEAM),
    "api:create_contribution": ("POST", (401, 401, 401, 403, 403, 401, 201)),
    "api:update_contribution": ("PATCH", (401, 401, 401, 403, 403, 401, 200)),
    "api:create_staff_time": ("POST", (401, 401, 401, 403, 403, 401, 201)),
    "api:update_staff_time": ("PATCH", (401, 401, 401, 403, 403, 401, 200)),
    "api:update_event": ("PATCH", (401, 401, 401, 403, 403, 401, 200)),
    "api:update_booking": ("PATCH", (401, 401, 401, 403, 403, 401, 200)),
    "api:update_contact": ("PATCH", (401, 401, 401, 403, 403, 401, 200)),
}


def _api_write_body(key: str, scene: Scene, role: str) -> dict[str, Any]:
    study = scene.study.slug
    bodies: dict[str, dict[str, Any]] = {
        "api:create_study": {
            "title": f"Falls at home ({role})",
            "theme": scene.theme.slug,
            "design": "trial",
            "stage": "set_up",
        },
        "api:update_study": {"acronym": "RTW"},
        "api:create_record": {"study": study, "meaning": "organisation", "title": "Ward 9"},
        "api:update_record": {"title": "Ward 9"},
        "api:create_barrier": {
            "study": study,
            "kind": "barrier",
            "level": "team",
            "category": "resources",
            "description": "No protected time",
            "source": "Ward meeting",
            "date": "2024-03-05",
        },
        "api:create_event": {
            "title": f"Seminar ({role})",
            "slug": f"seminar-{role}",
            "kind": "seminar",
            "venue": "Millbrook Conference Centre",
            "date": "2030-05-17",
            "start_time": "09:30",
            "end_time": "12:00",
        },
        "api:update_barrier": {"source": "A survey of ward staff"},
        "api:update_involvement": {"what": "Read two leaflets"},
        "api:create_booking": {"full_name": "Sam Someone", "email": f"sam.{role}@example.org"},
        "api:create_output": {
            "kind": "research_tools",
            "title": f"Referral pro forma ({role})",
            "date": "2011-01-01",
            "studies": [study],
        },
        "api:update_output": {"kind": "research_tools", "title": "Referral pro forma, v2"},
        "api:create_contribution": {
            "organisation": scene.organisation.slug,
            "year": 2011,
            "kind": "cash",
            "amount": "1000.00",
            "description": f"Room hire ({role})",
        },
        "api:update_contribution": {"amount": "1500.00"},
        "api:create_staff_time": {
            "organisation": scene.organisation.slug,
            "person": str(scene.person.public_id),
            "description": f"Practice educator ({role})",
            "fte": "0.2",
            "start": "2011-04-01",
            "end": "2012-03-31",
        },
        "api:update_staff_time": {"fte": "0.4"},
        "api:update_event": {"capacity": 30},
        "api:update_booking": {"status": "cancelled"},
        "api:update_contact": {"phone": "01632 960 123"},
        "api:create_involvement": {
            "study": study,
            "contributor_name": "Pat Carer",
            "date": "2024-02-02",
            "what": "Read the leaflet",
            "role": "reviewer",
            "hours": "2",
            "payment_declined": True,
        },
    }
    return bodies[key]


def test_api_writes_with_read_write_tokens(scene: Scene) -> None:
    """Every API write operation is in API_WRITES and a matrix row; each role's read-write
    token gets its expected status with a valid body (and the record's current ETag)."""
    from coproduce.apitokens.models import ApiToken

    writes = {
        key for key, (method, _) in TABLE.items() if key.startswith("api:") and method != "GET"
    }
    assert writes == set(API_WRITES)
    patterns = url_patterns()
    wrong = []
    for key, (method, want) in API_WRITES.items():
        for role, expected_status in zip(ROLES, want, strict=True):
            client: Client = scene.clients[role]
            url = url_for(key, *patterns[key], scene, role)
            with transaction.atomic():
                headers = {}
                if role in ROLE_USERS:
                    user = scene.users[ROLE_USERS[role]]
                    secret = ApiToken.objects.issue(user, "matrix writes", access="write")[1]
                    headers["Authorization"] = f"Bearer {secret}"
                body = _api_write_body(key, scene, role)
                if method == "PATCH":
                    tag = scene.clients["mgr"].get(
                        url,
                        headers={"Authorization": f"Bearer {scene.tokens['manager']}"},
                    )["ETag"]
                    headers["If-Match"] = tag
                    response = client.patch(
                        url, body, content_type="application/json", headers=headers
                    )
                else:
                    response = client.post(
                        url, body, content_type="application/json", headers=headers
                    )
                transaction.set_rollback(True)
            if response.status_code != expected_status:
                wrong.append(
                    f"{role} {method} {url}: {response.status_code}, expected {expected_status}"
                    f" ({response.content[:200]!r})"
                )
    assert not wrong, "\n".join(wrong)
