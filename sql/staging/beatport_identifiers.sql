-- model: staging.beatport_identifiers
-- materialized: view
-- Beatport's tracks' ISRCs.
select 'track' as entity, track_id::varchar as item_id, 'isrc' as kind, isrc as value, 'own' as via
from staging.beatport_tracks
where isrc is not null
