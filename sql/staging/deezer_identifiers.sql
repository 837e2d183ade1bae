-- model: staging.deezer_identifiers
-- materialized: view
-- Deezer's tracks' ISRCs, and its own ids, which MusicBrainz's url-rels name.
select 'track' as entity, track_id::varchar as item_id, 'isrc' as kind, isrc as value, 'own' as via
from staging.deezer_tracks
where isrc is not null
union all
select 'release', item_id, 'deezer', item_id, 'own' from staging.deezer_release_items
union all
select 'track', item_id, 'deezer', item_id, 'own' from staging.deezer_track_items
