-- model: staging.musicbrainz_tracks
-- key: track_id
-- kind: incremental by release_id
-- assert: not_null(release_id, recording_id, title)
-- One row per track of a MusicBrainz release (a recording in a position on a medium).
with media as (
    select release_id, unnest(r.media) as m, fetched_at, raw_file
    from staging.musicbrainz_release_parsed
),
tracks as (
    select release_id, try_cast(m.position as integer) as disc_number, unnest(m.tracks) as t, fetched_at, raw_file
    from media
)
select
    t.id as track_id,
    release_id,
    disc_number,
    try_cast(t.position as integer) as position,
    t.recording.id as recording_id,
    t.title,
    array_to_string(list_transform(t."artist-credit", lambda c: c.name || coalesce(c.joinphrase, '')), '') as artist_credit,
    try_cast(t.length as bigint) as length_ms,
    nullif(t.recording.disambiguation, '') as recording_disambiguation,
    t.recording.isrcs as isrcs_raw,
    fetched_at, raw_file
from tracks
