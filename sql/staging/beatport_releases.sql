-- model: staging.beatport_releases
-- key: release_id
-- assert: not_null(title)
-- One row per Beatport release (GET /catalog/releases/<id>/): catalog number, label,
-- type and publish date.
select
    try_cast(body ->> 'id' as bigint) as release_id,
    body ->> 'name' as title,
    array_to_string(json_extract_string(body, '$.artists[*].name'), ', ') as artist_credit,
    nullif(body ->> 'catalog_number', '') as catalog_number,
    json_extract_string(body, '$.label.name') as label,
    try_cast(json_extract_string(body, '$.label.id') as bigint) as label_id,
    json_extract_string(body, '$.type.name') as release_type,
    body ->> 'publish_date' as publish_date,
    try_cast(body ->> 'track_count' as integer) as track_count,
    fetched_at, raw_file
from raw.beatport_releases
where status = 200 and json_valid(body) and try_cast(body ->> 'id' as bigint) is not null
qualify row_number() over (partition by body ->> 'id' order by fetched_at desc) = 1
