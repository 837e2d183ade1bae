-- model: staging.beatport_tracks
-- key: track_id
-- assert: not_null(title)
-- One row per Beatport track: from release track lists, the track list by ISRC or name
-- (`/catalog/tracks/?isrc=`: one ISRC is often on the album, a compilation and the
-- single, each its own track id) and track searches (hits under `tracks`, not
-- `results`). Mix name is part of what the recording is ("Extended Mix" is other audio
-- than "Radio Edit"); BPM, key with its Camelot code, genre, and the ISRC when present.
-- Real track objects carry no position: a release's list is in its order, so the place
-- in that list is the position; other lists say nothing of it.
-- merge: by source, then newest
with release_lists as (
    select json_extract(body, '$.results[*]') as ts, fetched_at, raw_file, 2 as source,
        coalesce(try_cast(params ->> 'page' as integer), 1) as page,
        coalesce(try_cast(params ->> 'per_page' as integer), 0) as per_page
    from answers.beatport_release_tracks
),
tracks as (
    select unnest(ts) as t, (page - 1) * per_page + generate_subscripts(ts, 1) as place, fetched_at, raw_file, source
    from release_lists
    union all
    select unnest(json_extract(body, '$.results[*]')), null, fetched_at, raw_file, 1
    from answers.beatport_tracks
    union all
    select unnest(json_extract(body, '$.tracks[*]')), null, fetched_at, raw_file, 0
    from answers.beatport_track_search
)
select
    try_cast(t ->> 'id' as bigint) as track_id,
    try_cast(json_extract_string(t, '$.release.id') as bigint) as release_id,
    json_extract_string(t, '$.release.name') as release_title,
    coalesce(try_cast(t ->> 'number' as integer), place) as position,
    t ->> 'name' as title,
    nullif(t ->> 'mix_name', '') as mix_name,
    array_to_string(json_extract_string(t, '$.artists[*].name'), ', ') as artist_credit,
    nullif(array_to_string(json_extract_string(t, '$.remixers[*].name'), ', '), '') as remixers,
    try_cast(t ->> 'bpm' as integer) as bpm,
    json_extract_string(t, '$.key.name') as musical_key,
    nullif(
        coalesce(json_extract_string(t, '$.key.camelot_number'), '') || coalesce(json_extract_string(t, '$.key.camelot_letter'), ''),
        ''
    ) as camelot,
    json_extract_string(t, '$.genre.name') as genre,
    try_cast(t ->> 'length_ms' as integer) as duration_ms,
    nullif(t ->> 'catalog_number', '') as catalog_number,
    json_extract_string(t, '$.release.label.name') as label,
    t ->> 'publish_date' as publish_date,
    t ->> 'new_release_date' as new_release_date,
    nullif(t ->> 'isrc', '') as isrc_raw,
    norm_isrc(t ->> 'isrc') as isrc,
    fetched_at, raw_file, source
from tracks
where try_cast(t ->> 'id' as bigint) is not null
-- A release's own list says most (its position); then lookups, then search hits.
