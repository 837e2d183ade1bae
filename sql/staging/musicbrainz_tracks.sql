-- model: staging.musicbrainz_tracks
-- key: track_id
-- assert: not_null(release_id, recording_id, title)
-- One row per track of a MusicBrainz release (a recording in a position on a medium).
with pages as (
    select body, fetched_at
    from raw.musicbrainz_releases
    where status = 200 and json_valid(body)
),
releases as (
    select
        unnest(case when json_exists(body, '$.releases') then json_extract(body, '$.releases[*]') else [body::json] end) as r,
        fetched_at
    from pages
),
latest as (
    select r, fetched_at
    from releases
    qualify row_number() over (partition by r ->> 'id' order by fetched_at desc) = 1
),
media as (
    select r ->> 'id' as release_id, unnest(json_extract(r, '$.media[*]')) as m, fetched_at
    from latest
),
tracks as (
    select release_id, (m ->> 'position')::integer as disc_number, unnest(json_extract(m, '$.tracks[*]')) as t, fetched_at
    from media
)
select
    t ->> 'id' as track_id,
    release_id,
    disc_number,
    (t ->> 'position')::integer as position,
    json_extract_string(t, '$.recording.id') as recording_id,
    t ->> 'title' as title,
    array_to_string(
        list_transform(json_extract(t, '$."artist-credit"[*]'), lambda c: (c ->> 'name') || coalesce(c ->> 'joinphrase', '')),
        ''
    ) as artist_credit,
    (t ->> 'length')::bigint as length_ms,
    json_extract_string(t, '$.recording.isrcs[*]') as isrcs_raw,
    fetched_at
from tracks
