-- model: staging.deezer_albums
-- key: album_id
-- assert: not_null(title)
-- One row per Deezer album (GET /album/<id>), newest response first. Deezer reports
-- errors inside 200 bodies: those are skipped.
select
    try_cast(body ->> 'id' as bigint) as album_id,
    body ->> 'title' as title,
    nullif(body ->> 'upc', '') as upc,
    norm_gtin(body ->> 'upc') as gtin,
    body ->> 'label' as label,
    body ->> 'release_date' as release_date,
    body ->> 'record_type' as record_type,
    try_cast(body ->> 'nb_tracks' as integer) as track_count,
    try_cast(body ->> 'duration' as integer) as duration_s,
    try_cast(json_extract_string(body, '$.artist.id') as bigint) as artist_id,
    json_extract_string(body, '$.artist.name') as artist_name,
    array_to_string(json_extract_string(body, '$.contributors[*].name'), ', ') as contributors,
    try_cast(body ->> 'fans' as bigint) as fans,
    fetched_at
from raw.deezer_albums
where status = 200 and json_valid(body) and json_extract(body, '$.error') is null
qualify row_number() over (partition by body ->> 'id' order by fetched_at desc) = 1
