-- model: staging.spotify_albums
-- key: album_id
-- assert: not_null(title)
-- One row per Spotify album: GET /albums/<id> (the only response that carries
-- external_ids, the UPC), else its entry in an artist's album list (a simplified
-- album, with `album_group` and no UPC, label or popularity).
-- Development-mode apps get no label and no popularity (null).
-- merge: by whole, then newest
with albums as (
    select body::json as a, fetched_at, raw_file, 1 as whole
    from answers.spotify_albums
    union all
    select unnest(json_extract(body, '$.items[*]')), fetched_at, raw_file, 0
    from answers.spotify_artist_albums
)
select
    a ->> 'id' as album_id,
    a ->> 'name' as title,
    a ->> 'album_type' as album_type,
    a ->> 'release_date' as release_date,
    a ->> 'release_date_precision' as release_date_precision,
    coalesce(json_extract_string(a, '$.external_ids.upc'), json_extract_string(a, '$.external_ids.ean')) as upc,
    norm_gtin(coalesce(json_extract_string(a, '$.external_ids.upc'), json_extract_string(a, '$.external_ids.ean'))) as gtin,
    a ->> 'label' as label,
    try_cast(a ->> 'total_tracks' as integer) as track_count,
    json_extract_string(a, '$.artists[0].id') as artist_id,
    array_to_string(json_extract_string(a, '$.artists[*].name'), ', ') as artist_credit,
    try_cast(a ->> 'popularity' as integer) as popularity,
    fetched_at, raw_file, whole
from albums
where a ->> 'id' is not null and a ->> 'type' is distinct from 'error'
