-- model: intermediate.item_identifiers
-- key: entity, provider, item_id, kind, value
-- Every identifier an item carries, for exact links: its own barcode or ISRC, its
-- MusicBrainz id, its own provider id, and the ids of other providers' pages it links
-- to (MusicBrainz url-rels; Genius' media links; iTunes sharing Apple Music's ids).
-- `via` says where an identifier of another provider came from. Each source is keyed
-- by its item, so only the two that can repeat an identifier are made distinct (a
-- distinct over all four million rows at the million cost a second).
with ids as (
    -- Barcodes and ISRCs, each provider's own.
    select 'release' as entity, provider, item_id, 'gtin' as kind, gtin as value, 'own' as via
    from intermediate.release_items where gtin is not null
    union all
    select 'track', 'musicbrainz', recording_id, 'isrc', isrc, 'own' from staging.musicbrainz_recording_isrcs
    union all
    select 'track', 'deezer', track_id::varchar, 'isrc', isrc, 'own' from staging.deezer_tracks where isrc is not null
    union all
    select 'track', 'spotify', track_id, 'isrc', isrc, 'own' from staging.spotify_tracks where isrc is not null
    union all
    select 'track', 'apple_music', song_id, 'isrc', isrc, 'own' from staging.apple_music_tracks where isrc is not null
    union all
    select 'track', 'beatport', track_id::varchar, 'isrc', isrc, 'own' from staging.beatport_tracks where isrc is not null
    -- MusicBrainz ids: MusicBrainz's own, and those Last.fm carries.
    union all
    select 'release', 'musicbrainz', release_id, 'mbid', release_id, 'own' from staging.musicbrainz_releases
    union all
    select 'release', 'lastfm', url, 'mbid', release_mbid, 'lastfm' from staging.lastfm_albums where release_mbid is not null
    union all
    -- A recording looked up and listed on a release: once.
    select 'track', 'musicbrainz', recording_id, 'mbid', recording_id, 'own' from (
        select recording_id from staging.musicbrainz_recordings
        union
        select recording_id from staging.musicbrainz_tracks
    )
    union all
    select 'track', 'lastfm', url, 'mbid', recording_mbid, 'lastfm' from staging.lastfm_tracks where recording_mbid is not null
    -- Provider ids: each item's own, and the pages other providers link to.
    union all
    select 'release', provider, item_id, provider, item_id, 'own' from intermediate.release_items
    where provider in ('spotify', 'deezer', 'apple_music', 'discogs')
    union all
    select 'release', 'itunes', item_id, 'apple_music', item_id, 'itunes' from intermediate.release_items where provider = 'itunes'
    union all
    -- Two urls of one page (with and without a locale) name one id: once.
    select distinct 'release', 'musicbrainz', entity_id, provider, provider_id, 'musicbrainz url-rel'
    from staging.musicbrainz_urls
    where entity = 'release' and provider in ('spotify', 'deezer', 'apple_music', 'discogs')
    union all
    select 'track', provider, item_id, provider, item_id, 'own' from intermediate.track_items
    where provider in ('spotify', 'deezer', 'apple_music')
    union all
    select 'track', 'itunes', item_id, 'apple_music', item_id, 'itunes' from intermediate.track_items where provider = 'itunes'
    union all
    select 'track', 'genius', song_id::varchar, 'spotify', spotify_track_id, 'genius media' from staging.genius_songs
    where spotify_track_id is not null
    union all
    select 'track', 'genius', song_id::varchar, 'apple_music', apple_music_id, 'genius media' from staging.genius_songs
    where apple_music_id is not null
)
select entity, provider, item_id, kind, value, via
from ids
where value is not null and item_id is not null
