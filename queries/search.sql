-- name: SearchEverything :many
-- The best matches of @q of each record type the user may see, at most @per_type of each. Each
-- type's find function ranks its newest @candidates matches inside the user's scope by how well
-- their words match (a whole word above a prefix, a name above an email) and returns the best.
WITH q AS MATERIALIZED (SELECT crm_prefix_query(@q::text) AS prefix, plainto_tsquery('simple', @q::text) AS words)
(SELECT 'leads'::text AS kind, r.id, (r.first_name || ' ' || r.last_name)::text AS title, r.company::text AS detail,
        crm_search_rank(r.search, q.prefix, q.words)::real AS rank, NULL::bigint AS parent_id, ''::text AS parent_kind
 FROM leads r, q WHERE r.id = ANY(ARRAY(SELECT crm_find_leads(@q::text, @candidates::int, @per_type::int)))
 ORDER BY rank DESC, r.id DESC)
UNION ALL
(SELECT 'accounts', r.id, r.name, concat_ws(' · ', r.domain::text, nullif(r.city, '')), crm_search_rank(r.search, q.prefix, q.words), NULL, ''
 FROM accounts r, q WHERE r.id = ANY(ARRAY(SELECT crm_find_accounts(@q::text, @candidates::int, @per_type::int)))
 ORDER BY 5 DESC, r.id DESC)
UNION ALL
(SELECT 'contacts', r.id, r.first_name || ' ' || r.last_name, concat_ws(' · ', nullif(r.title, ''), r.email::text), crm_search_rank(r.search, q.prefix, q.words), NULL, ''
 FROM contacts r, q WHERE r.id = ANY(ARRAY(SELECT crm_find_contacts(@q::text, @candidates::int, @per_type::int)))
 ORDER BY 5 DESC, r.id DESC)
UNION ALL
(SELECT 'opportunities', r.id, r.name, (SELECT s.name FROM pipeline_stages s WHERE s.id = r.stage_id), crm_search_rank(r.search, q.prefix, q.words), NULL, ''
 FROM opportunities r, q WHERE r.id = ANY(ARRAY(SELECT crm_find_opportunities(@q::text, @candidates::int, @per_type::int)))
 ORDER BY 5 DESC, r.id DESC)
UNION ALL
-- An activity opens on the record it belongs to, the deal first.
(SELECT 'activities', r.id, r.subject, r.type::text, crm_search_rank(r.search, q.prefix, q.words),
        coalesce(r.opportunity_id, r.contact_id, r.account_id, r.lead_id),
        CASE WHEN r.opportunity_id IS NOT NULL THEN 'opportunities' WHEN r.contact_id IS NOT NULL THEN 'contacts'
             WHEN r.account_id IS NOT NULL THEN 'accounts' ELSE 'leads' END
 FROM activities r, q WHERE r.id = ANY(ARRAY(SELECT crm_find_activities(@q::text, @candidates::int, @per_type::int)))
 ORDER BY 5 DESC, r.id DESC);

-- name: CorrectWords :one
-- What was typed with each word found in no record's name replaced by the closest one that is;
-- empty when nothing would change.
SELECT coalesce(crm_correct_words(@q::text), '')::text AS corrected;
