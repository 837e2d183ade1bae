-- model: staging.spotify_identifiers
-- materialized: view
-- Spotify's tracks' ISRCs, and its own ids, which MusicBrainz's url-rels and Genius'
-- media links name.
select 'track' as entity, track_id as item_id, 'isrc' as kind, isrc as value, 'own' as via
from staging.spotify_tracks
where isrc is not null
union all
select 'release', item_id, 'spotify', item_id, 'own' from staging.spotify_release_items
union all
select 'track', item_id, 'spotify', item_id, 'own' from staging.spotify_track_items
