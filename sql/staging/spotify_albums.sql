-- model: staging.spotify_albums
-- key: album_id
-- assert: not_null(title)
-- One row per Spotify album, from GET /albums/<id>: the only response that carries
-- external_ids (UPC). Development-mode apps get no label and no popularity (null).
select
    body ->> 'id' as album_id,
    body ->> 'name' as title,
    body ->> 'album_type' as album_type,
    body ->> 'release_date' as release_date,
    body ->> 'release_date_precision' as release_date_precision,
    coalesce(json_extract_string(body, '$.external_ids.upc'), json_extract_string(body, '$.external_ids.ean')) as upc,
    norm_gtin(coalesce(json_extract_string(body, '$.external_ids.upc'), json_extract_string(body, '$.external_ids.ean'))) as gtin,
    body ->> 'label' as label,
    try_cast(body ->> 'total_tracks' as integer) as track_count,
    json_extract_string(body, '$.artists[0].id') as artist_id,
    array_to_string(json_extract_string(body, '$.artists[*].name'), ', ') as artist_credit,
    try_cast(body ->> 'popularity' as integer) as popularity,
    fetched_at, raw_file
from raw.spotify_albums
where status = 200 and json_valid(body) and body ->> 'id' is not null
qualify row_number() over (partition by body ->> 'id' order by fetched_at desc) = 1
