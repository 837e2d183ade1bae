-- model: staging.lastfm_identifiers
-- materialized: view
-- The MusicBrainz ids Last.fm carries on albums and tracks.
select 'release' as entity, url as item_id, 'mbid' as kind, release_mbid as value, 'lastfm' as via
from staging.lastfm_albums
where release_mbid is not null
union all
select 'track', url, 'mbid', recording_mbid, 'lastfm' from staging.lastfm_tracks where recording_mbid is not null
