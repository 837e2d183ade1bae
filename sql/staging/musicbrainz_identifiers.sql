-- model: staging.musicbrainz_identifiers
-- materialized: view
-- MusicBrainz's identifiers for exact links: recordings' ISRCs, its own ids (MBIDs),
-- and the other providers' pages its editors linked releases to (url-rels). A
-- recording looked up and listed on a release is said once; two urls of one page (with
-- and without a locale) name one id once.
select 'track' as entity, recording_id as item_id, 'isrc' as kind, isrc as value, 'own' as via
from staging.musicbrainz_recording_isrcs
union all
select 'release', release_id, 'mbid', release_id, 'own' from staging.musicbrainz_releases
union all
select 'track', recording_id, 'mbid', recording_id, 'own' from (
    select recording_id from staging.musicbrainz_recordings
    union
    select recording_id from staging.musicbrainz_tracks
)
union all
select distinct 'release', entity_id, provider, provider_id, 'musicbrainz url-rel'
from staging.musicbrainz_urls
where entity = 'release' and provider in ('spotify', 'deezer', 'apple_music', 'discogs')
