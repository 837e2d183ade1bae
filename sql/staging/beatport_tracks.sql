-- model: staging.beatport_tracks
-- key: track_id
-- assert: not_null(title)
-- One row per Beatport track, from release track lists: mix name (part of what the
-- recording is: "Extended Mix" is other audio than "Radio Edit"), BPM, key, genre, and
-- the ISRC when present.
with tracks as (
    select unnest(json_extract(body, '$.results[*]')) as t, fetched_at, raw_file
    from raw.beatport_release_tracks
    where status = 200 and json_valid(body)
)
select
    try_cast(t ->> 'id' as bigint) as track_id,
    try_cast(json_extract_string(t, '$.release.id') as bigint) as release_id,
    try_cast(t ->> 'number' as integer) as position,
    t ->> 'name' as title,
    nullif(t ->> 'mix_name', '') as mix_name,
    array_to_string(json_extract_string(t, '$.artists[*].name'), ', ') as artist_credit,
    nullif(array_to_string(json_extract_string(t, '$.remixers[*].name'), ', '), '') as remixers,
    try_cast(t ->> 'bpm' as integer) as bpm,
    json_extract_string(t, '$.key.name') as musical_key,
    json_extract_string(t, '$.genre.name') as genre,
    try_cast(t ->> 'length_ms' as integer) as duration_ms,
    nullif(t ->> 'isrc', '') as isrc_raw,
    norm_isrc(t ->> 'isrc') as isrc,
    fetched_at, raw_file
from tracks
qualify row_number() over (partition by t ->> 'id' order by fetched_at desc) = 1
