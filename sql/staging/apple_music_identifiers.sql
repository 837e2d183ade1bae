-- model: staging.apple_music_identifiers
-- materialized: view
-- Apple Music's songs' ISRCs, and its own ids, which MusicBrainz's url-rels, Genius'
-- media links and iTunes name.
select 'track' as entity, song_id as item_id, 'isrc' as kind, isrc as value, 'own' as via
from staging.apple_music_tracks
where isrc is not null
union all
select 'release', item_id, 'apple_music', item_id, 'own' from staging.apple_music_release_items
union all
select 'track', item_id, 'apple_music', item_id, 'own' from staging.apple_music_track_items
