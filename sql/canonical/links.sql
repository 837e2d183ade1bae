-- model: canonical.links
-- key: link_id
-- assert: not_null(entity, method, left_id, right_id, match_key)
-- Exact links between providers: releases by GTIN (normalized to 14 digits with a
-- valid check digit), recordings by ISRC. Every link says how it was made.
with release_links as (
    select
        'release' as entity,
        'musicbrainz' as left_provider,
        m.release_id as left_id,
        'deezer' as right_provider,
        d.album_id::varchar as right_id,
        'gtin' as method,
        m.gtin as match_key
    from staging.musicbrainz_releases m
    join staging.deezer_albums d on d.gtin = m.gtin
),
track_links as (
    select
        'track' as entity,
        'musicbrainz' as left_provider,
        r.recording_id as left_id,
        'deezer' as right_provider,
        d.track_id::varchar as right_id,
        'isrc' as method,
        r.isrc as match_key
    from staging.musicbrainz_recording_isrcs r
    join staging.deezer_tracks d on d.isrc = r.isrc
)
select
    concat_ws(':', entity, left_provider, left_id, right_provider, right_id) as link_id,
    *,
    1.0::double as score
from (select * from release_links union all select * from track_links)
