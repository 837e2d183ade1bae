-- model: canonical.tracks
-- key: track_id
-- assert: not_null(title)
-- One row per recording. An ISRC names it (`isrc:<code>`); a MusicBrainz recording
-- with several ISRCs takes the smallest, and a Deezer track carrying any of them
-- joins that recording. Without an ISRC, the provider's own id names it.
with recordings as (
    select
        recording_id,
        arg_min(title, track_id) as title,
        arg_min(artist_credit, track_id) as artist,
        max(length_ms) as length_ms
    from staging.musicbrainz_tracks
    group by recording_id
),
recording_key as (
    select recording_id, min(isrc) as isrc
    from staging.musicbrainz_recording_isrcs
    group by recording_id
),
isrc_key as (
    select i.isrc, min(k.isrc) as key_isrc
    from staging.musicbrainz_recording_isrcs i
    join recording_key k using (recording_id)
    group by i.isrc
),
mb as (
    select
        coalesce('isrc:' || k.isrc, 'musicbrainz:' || r.recording_id) as track_id,
        k.isrc, r.recording_id, r.title, r.artist, r.length_ms
    from recordings r
    left join recording_key k using (recording_id)
),
dz as (
    select
        coalesce('isrc:' || coalesce(ik.key_isrc, d.isrc), 'deezer:' || d.track_id) as track_id,
        coalesce(ik.key_isrc, d.isrc) as isrc,
        d.track_id as deezer_track_id, d.title, d.artist_name as artist, d.duration_s * 1000 as length_ms, d.rank
    from staging.deezer_tracks d
    left join isrc_key ik on ik.isrc = d.isrc
),
mb_by_track as (
    select
        track_id,
        any_value(isrc) as isrc,
        min(recording_id) as musicbrainz_recording_id,
        arg_min(title, recording_id) as title,
        arg_min(artist, recording_id) as artist,
        max(length_ms) as length_ms
    from mb
    group by track_id
),
dz_by_track as (
    select
        track_id,
        any_value(isrc) as isrc,
        min(deezer_track_id) as deezer_track_id,
        count(*) as deezer_track_count,
        arg_max(title, rank) as title,
        arg_max(artist, rank) as artist,
        max(length_ms) as length_ms,
        max(rank) as deezer_rank
    from dz
    group by track_id
)
select
    track_id,
    coalesce(m.title, d.title) as title,
    coalesce(m.artist, d.artist) as artist,
    coalesce(m.isrc, d.isrc) as isrc,
    coalesce(m.length_ms, d.length_ms) as length_ms,
    m.musicbrainz_recording_id,
    d.deezer_track_id,
    coalesce(d.deezer_track_count, 0) as deezer_track_count,
    d.deezer_rank
from mb_by_track m
full outer join dz_by_track d using (track_id)
