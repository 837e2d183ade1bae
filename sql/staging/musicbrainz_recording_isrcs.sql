-- model: staging.musicbrainz_recording_isrcs
-- key: recording_id, isrc
-- The ISRCs MusicBrainz holds for each recording, from release tracklists, recording
-- lookups and ISRC lookups (whose recordings do not repeat the ISRC they were found
-- under), normalized; malformed ones are dropped.
with raw_isrcs as (
    select recording_id, unnest(isrcs_raw) as raw_isrc from staging.musicbrainz_tracks
    union all
    select recording_id, unnest(isrcs_raw) as raw_isrc from staging.musicbrainz_recordings
    union all
    select unnest(json_extract_string(body, '$.recordings[*].id')), body ->> 'isrc'
    from answers.musicbrainz_isrcs
)
select distinct recording_id, norm_isrc(raw_isrc) as isrc
from raw_isrcs
where norm_isrc(raw_isrc) is not null
