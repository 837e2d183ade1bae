-- model: staging.lastfm_facts
-- materialized: view
-- What Last.fm says of its albums: their tags, as genres.
select 'release' as entity, url as item_id, 'genre' as field, unnest(string_split(tags, ', ')) as value
from staging.lastfm_albums
