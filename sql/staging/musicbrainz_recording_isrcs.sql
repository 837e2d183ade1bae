-- model: staging.musicbrainz_recording_isrcs
-- key: recording_id, isrc
-- The ISRCs MusicBrainz holds for each recording, from release tracklists and
-- recording lookups, normalized; malformed ones are dropped.
with raw_isrcs as (
    select recording_id, unnest(isrcs_raw) as raw_isrc from staging.musicbrainz_tracks
    union all
    select recording_id, unnest(isrcs_raw) as raw_isrc from staging.musicbrainz_recordings
)
select distinct recording_id, norm_isrc(raw_isrc) as isrc
from raw_isrcs
where norm_isrc(raw_isrc) is not null
