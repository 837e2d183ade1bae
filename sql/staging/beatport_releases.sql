-- model: staging.beatport_releases
-- key: release_id
-- assert: not_null(title)
-- One row per Beatport release (GET /catalog/releases/<id>/, else the release as a
-- search hit: search answers with its hits under `releases`): catalog number, label,
-- type and publish date.
-- merge: by whole, then newest
with releases as (
    select body::json as r, fetched_at, raw_file, 1 as whole
    from answers.beatport_releases
    union all
    select unnest(json_extract(body, '$.releases[*]')), fetched_at, raw_file, 0
    from answers.beatport_release_search
)
select
    try_cast(r ->> 'id' as bigint) as release_id,
    r ->> 'name' as title,
    array_to_string(json_extract_string(r, '$.artists[*].name'), ', ') as artist_credit,
    nullif(r ->> 'catalog_number', '') as catalog_number,
    json_extract_string(r, '$.label.name') as label,
    try_cast(json_extract_string(r, '$.label.id') as bigint) as label_id,
    json_extract_string(r, '$.type.name') as release_type,
    r ->> 'publish_date' as publish_date,
    try_cast(r ->> 'track_count' as integer) as track_count,
    fetched_at, raw_file, whole
from releases
where try_cast(r ->> 'id' as bigint) is not null
